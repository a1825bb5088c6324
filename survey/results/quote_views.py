"""The staff page where an analyst writes the redacted text of a quote: the comment with what looks like personal
data marked, and a form whose text must pass the same detector before it is stored and printed."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.kernel.converters import big_id
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.policies.models import FocusArea
from survey.questionnaire.models import Answer
from survey.results import admin_bp
from survey.results.forms import RedactionForm
from survey.results.models import Quote
from survey.results.personal_data import find_personal_data, parts
from survey.results.quotes import QuoteRefused, may_be_shown, redact
from survey.results.views import ROLES, _area, _chosen_policy, _query
from survey.staff.access import role_required
from survey.staff.audit import audit


def _quotable(area: FocusArea, selected: list) -> Answer:
    """The answer in ?svar=, if it is a comment about the area in a chosen round that may be shown and quoted."""
    answer = db.session.get(Answer, request.args.get("svar", type=big_id) or 0)
    if (
        answer is None
        or answer.focus_area_id != area.id
        or answer.response.round_id not in {r.id for r in selected}
        or not answer.text
        or not answer.may_quote
        or not may_be_shown(answer)
    ):
        abort(404)
    return answer


@admin_bp.route("/omraade/<code>/citat/anonymiser", methods=["GET", "POST"])
@role_required(*ROLES)
def redact_quote(code: str):
    """Write (or correct) the redacted text a quote is printed with; saving it picks the quote if it is not yet."""
    policy, rounds, selected = _chosen_policy()
    focus_area = _area(policy, code)
    answer = _quotable(focus_area, selected)
    quote = db.session.get(Quote, answer.id)
    form = RedactionForm(tekst=quote.redacted_text if quote and quote.redacted_text else answer.text)
    target, query = f"answer:{answer.id}", _query(policy, rounds, selected)
    if form.validate_on_submit():
        try:
            _quote, picked = redact(answer, current_user.id, form.tekst.data)
        except QuoteRefused as refused:
            form.tekst.errors.append(str(refused))
        else:
            if picked:
                audit("quote_chosen", target=target, policy=policy.slug)
            audit("quote_redacted", target=target, policy=policy.slug)
            db.session.commit()
            flash(_("Den anonymiserede tekst er gemt. Kun den kommer med i bilaget."), "success")
            return redirect(url_for(".area", code=code, **query) + "#kommentarer", code=303)
    elif request.method == "GET":  # the comment is read here: logged as on the focus area's page
        audit("comments_viewed", target=f"policy:{policy.slug}", area=code, answers=[answer.id])
        db.session.commit()
    return render_form_page(
        "results/redact_quote.html",
        form,
        policy=policy,
        area=focus_area,
        answer=answer,
        quote=quote,
        pieces=parts(answer.text, find_personal_data(answer.text)),
        findings=find_personal_data(answer.text),
        query=query,
    )
