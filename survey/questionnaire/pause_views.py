"""'Dine svar er gemt': the code and link to come back with, and a form that sends them to a number or address."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from survey.kernel import codes
from survey.kernel.errors import form_again_when_limited, wait_in_words
from survey.kernel.extensions import db
from survey.kernel.ratelimits import wait_for
from survey.kernel.rendering import current_lang, render_form_page
from survey.questionnaire import bp, resume_code, services
from survey.questionnaire.forms import ResumeCodeForm
from survey.questionnaire.models import Draft
from survey.questionnaire.shown import ShownRound
from survey.questionnaire.views import limited_round, open_round, resume_url, wait_next_to, with_draft


def _page_context(round_: ShownRound, draft: Draft, token: str) -> dict:
    return {
        "round_": round_,
        "link": resume_url(round_, draft, token, _external=True),
        "grouped_code": codes.grouped(token),
        "kept_until": services.draft_kept_until(round_),
    }


def _saved_again(message: str, round_slug: str, token: str) -> str | None:
    """The page again after the limit on sends from this address refused one: how long to wait, the typed
    number or address kept."""
    round_ = limited_round(round_slug)
    draft = services.find_draft(round_, token) if round_ is not None else None
    if draft is None:
        return None
    form = ResumeCodeForm()
    context = _page_context(round_, draft, token)
    return render_template(
        "questionnaire/saved.html", form=form, **context, **wait_next_to(form.contact, form, message)
    )


@bp.route("/<round_slug>/svar/<token>/gemt", methods=["GET", "POST"])
@form_again_when_limited(_saved_again)
@open_round
@with_draft
def saved(round_: ShownRound, draft: Draft, token: str):
    """Paused: the code and link to come back with; sent once to a number or address on request."""
    form = ResumeCodeForm()
    # read before the commit, which expires round_ and draft: reading them after would begin a transaction
    context = _page_context(round_, draft, token)
    if not form.validate_on_submit():
        return render_form_page("questionnaire/saved.html", form, **context)
    # counted once the form is valid (a typo uses nothing up), for the draft from every address together
    if wait := wait_for("RATELIMIT_RESUME_SEND_DRAFT", "resume_send", str(draft.id), per_client=False):
        return _too_many(form, context, wait)
    sending = resume_code.queue_resume_code(round_, draft, token, form.recipient, current_lang())
    db.session.commit()
    if not resume_code.went_out(sending):
        form.contact.errors = [
            _(
                "Vi kunne ikke sende koden til %(to)s. Tjek at det er skrevet rigtigt, og prøv igen, eller skriv "
                "koden ned.",
                to=form.shown_contact,
            )
        ]
        return render_form_page("questionnaire/saved.html", form, **context)
    # the form emptied: on a shared PC the next person must not find the number in the field
    sent = {"sent_to": form.shown_contact, "sent_by": sending.channel}
    return render_template("questionnaire/saved.html", form=ResumeCodeForm(formdata=None), **sent, **context)


def _too_many(form: ResumeCodeForm, context: dict, wait: int):
    """The page again, with what was typed and how long to wait (RATELIMIT_RESUME_SEND_DRAFT)."""
    message = _(
        "Koden er allerede sendt flere gange. Vent %(wait)s, og prøv igen. Eller skriv koden ned.",
        wait=wait_in_words(wait),
    )
    html = render_template(
        "questionnaire/saved.html", form=form, **context, **wait_next_to(form.contact, form, message)
    )
    return html, 429, {"Retry-After": str(wait)}
