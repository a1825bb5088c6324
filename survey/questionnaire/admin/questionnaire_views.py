"""Questionnaires per policy with their versions, and the preview of a version as a citizen sees it."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.kernel.rendering import current_lang, render_form_page
from survey.questionnaire import admin_bp, versions
from survey.questionnaire import preview as previews
from survey.questionnaire.admin import STAFF
from survey.questionnaire.forms import SubmitForm, draft_to_form_data, page_form_class
from survey.questionnaire.models import Questionnaire
from survey.questionnaire.review import answer_rows, missing_errors
from survey.questionnaire.services import missing_required, with_page
from survey.staff.access import role_required

#: the preview's pages: a colleague who checks the wording may open them whatever their role
PREVIEWERS = roles.EVERYONE


@admin_bp.get("/spoergeskemaer")
@role_required(*STAFF)
def questionnaires():
    """Every questionnaire per policy, each with its versions: frozen or not, and the rounds using each."""
    return render_template("questionnaire_admin/questionnaires.html", policies=versions.by_policy())


@admin_bp.get("/spoergeskemaer/<int:questionnaire_id>")
@role_required(*STAFF)
def questionnaire(questionnaire_id: int):
    """One version: its pages and questions, whether it is frozen, its rounds."""
    questionnaire = _questionnaire_or_404(questionnaire_id)
    return render_template(
        "questionnaire_admin/questionnaire.html",
        questionnaire=questionnaire,
        frozen=questionnaire.frozen,
        pages=versions.pages_of(questionnaire, current_lang()),
    )


def _questionnaire_or_404(questionnaire_id: int) -> Questionnaire:
    return db.session.get(Questionnaire, questionnaire_id) or abort(404)


def _preview_context(questionnaire: Questionnaire, answers: dict) -> dict:
    """What every preview page needs besides the citizen template's own context."""
    managing = current_user.has_role(*STAFF)
    return {
        "round_": previews.PreviewRound(questionnaire),
        "questionnaire": questionnaire,
        "carried": previews.carry(questionnaire, answers),
        "exit_url": url_for(".questionnaire", questionnaire_id=questionnaire.id) if managing else url_for("staff.home"),
        "start_url": url_for(".preview", questionnaire_id=questionnaire.id),
    }


def _page_url(questionnaire: Questionnaire, number: int, **args) -> str:
    page_key = previews.page_at(questionnaire, number).id
    return url_for(".preview_page", questionnaire_id=questionnaire.id, page_key=page_key, **args)


@admin_bp.get("/spoergeskemaer/<int:questionnaire_id>/forhaandsvisning")
@role_required(*PREVIEWERS)
def preview(questionnaire_id: int):
    """The preview's start page: the citizen's start page, its button leading to the first page."""
    questionnaire = _questionnaire_or_404(questionnaire_id)
    return render_template(
        "questionnaire_admin/preview_start.html",
        spec=questionnaire.spec,
        first_url=_page_url(questionnaire, 1),
        **_preview_context(questionnaire, {}),
    )


@admin_bp.route("/spoergeskemaer/<int:questionnaire_id>/forhaandsvisning/<page_key>", methods=["GET", "POST"])
@role_required(*PREVIEWERS)
def preview_page(questionnaire_id: int, page_key: str):
    """One page of the preview, as the citizen gets it (errors included); opened directly it starts empty.

    A post with previews.SHOW only shows the page (Tilbage, Ændr); otherwise it is the page's 'Fortsæt'."""
    questionnaire = _questionnaire_or_404(questionnaire_id)
    number = previews.page_number(questionnaire, page_key) or abort(404)
    if request.method == "GET":
        return _render_page(questionnaire, number, {}, None)
    answers = _carried_or_refused(questionnaire)
    if isinstance(answers, tuple):
        return answers
    page_spec = previews.page_at(questionnaire, number)
    if previews.SHOW in request.form:
        return _render_page(questionnaire, number, answers, None)
    form = page_form_class(page_spec, current_lang())()
    if not form.validate_on_submit():
        return _render_page(questionnaire, number, answers, form)
    answers = with_page(answers, page_spec, form.draft_answers())
    if "save_later" in request.form:
        html = render_template(
            "questionnaire_admin/preview_saved.html",
            page_url=_page_url(questionnaire, number),
            **_preview_context(questionnaire, answers),
        )
        return html
    if request.args.get("retur") == "tjek" or number == len(questionnaire.spec.pages):
        return _render_review(questionnaire, answers, [], SubmitForm())
    return _render_page(questionnaire, number + 1, answers, None)


def _carried_or_refused(questionnaire: Questionnaire):
    """The answers the posted form carried, or the page that refuses a changed value (400)."""
    try:
        return previews.carried(questionnaire, request.form.get(previews.CARRIED))
    except previews.CarriedAnswersRefused:
        html = render_template(
            "questionnaire_admin/preview_refused.html", has_errors=True, **_preview_context(questionnaire, {})
        )
        return html, 400


def _render_page(questionnaire: Questionnaire, number: int, answers: dict, form):
    """A question page with the citizen's template; `form` is a posted form that failed, else one from `answers`."""
    page_spec, lang = previews.page_at(questionnaire, number), current_lang()
    if form is None:
        form = page_form_class(page_spec, lang)(formdata=None, data=draft_to_form_data(page_spec, answers))
    retur = {"retur": "tjek"} if request.args.get("retur") == "tjek" else {}
    return render_form_page(
        "questionnaire_admin/preview_page.html",
        form,
        page=page_spec,
        number=number,
        total=len(questionnaire.spec.pages),
        lang=lang,
        form_action=_page_url(questionnaire, number, **retur),
        back_url=_page_url(questionnaire, number - 1) if number > 1 else None,
        **_preview_context(questionnaire, answers),
    )


def _render_review(questionnaire: Questionnaire, answers: dict, missing: list, form):
    """'Tjek dine svar' with the citizen's template; 'Ændr' and 'Tilbage' post the answers on."""
    lang = current_lang()
    errors = missing_errors(missing, lang) + form.error_list()
    html = render_template(
        "questionnaire_admin/preview_review.html",
        form=form,
        errors=errors,
        has_errors=bool(errors),
        rows=answer_rows(questionnaire.spec, answers, lang, lambda n: _page_url(questionnaire, n, retur="tjek")),
        missing_ids={q.id for q in missing},
        form_action=url_for(".preview_submit", questionnaire_id=questionnaire.id),
        back_url=_page_url(questionnaire, len(questionnaire.spec.pages)),
        **_preview_context(questionnaire, answers),
    )
    return html, 400 if errors else 200


@admin_bp.post("/spoergeskemaer/<int:questionnaire_id>/forhaandsvisning/svar/send")
@role_required(*PREVIEWERS)
def preview_submit(questionnaire_id: int):
    """'Send svar' in the preview: the same checks as the citizen's, then the end page; nothing is stored."""
    questionnaire = _questionnaire_or_404(questionnaire_id)
    answers = _carried_or_refused(questionnaire)
    if isinstance(answers, tuple):
        return answers
    form = SubmitForm()
    missing = missing_required(questionnaire, answers)
    if not form.validate_on_submit() or missing:
        return _render_review(questionnaire, answers, missing, form)
    return render_template(
        "questionnaire_admin/preview_end.html",
        counted=previews.counted_answers(questionnaire, answers, current_lang()),
        **_preview_context(questionnaire, {}),
    )
