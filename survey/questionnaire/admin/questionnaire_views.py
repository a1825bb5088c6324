"""Questionnaires per policy with their versions, and the preview of a version as a citizen sees it."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.kernel.rendering import current_lang, render_form_page
from survey.questionnaire import admin_bp, flow, versions
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


def _preview_context(questionnaire: Questionnaire, answers: dict, one_per_page: bool = False) -> dict:
    """What every preview page needs besides the citizen template's own context."""
    managing = current_user.has_role(*STAFF)
    return {
        "round_": previews.PreviewRound(questionnaire, one_question_per_page=one_per_page),
        "questionnaire": questionnaire,
        "carried": previews.carry(questionnaire, answers),
        "exit_url": url_for(".questionnaire", questionnaire_id=questionnaire.id) if managing else url_for("staff.home"),
        "start_url": url_for(".preview", questionnaire_id=questionnaire.id),
    }


def _page_url(questionnaire: Questionnaire, steps: list, number: int, one_per_page: bool, **args) -> str:
    """The preview address of step `number`: by page id, or with one question per page by question id."""
    key = previews.step_key(steps[number - 1], one_per_page)
    if one_per_page:
        return url_for(".preview_question", questionnaire_id=questionnaire.id, question_id=key, **args)
    return url_for(".preview_page", questionnaire_id=questionnaire.id, page_key=key, **args)


@admin_bp.get("/spoergeskemaer/<int:questionnaire_id>/forhaandsvisning")
@role_required(*PREVIEWERS)
def preview(questionnaire_id: int):
    """The preview's start page: the citizen's start page, its buttons leading to the first page or question."""
    questionnaire = _questionnaire_or_404(questionnaire_id)
    return render_template(
        "questionnaire_admin/preview_start.html",
        spec=questionnaire.spec,
        first_url=_page_url(questionnaire, previews.steps_of(questionnaire, {}, False), 1, False),
        first_question_url=_page_url(questionnaire, previews.steps_of(questionnaire, {}, True), 1, True),
        **_preview_context(questionnaire, {}),
    )


@admin_bp.route("/spoergeskemaer/<int:questionnaire_id>/forhaandsvisning/<page_key>", methods=["GET", "POST"])
@role_required(*PREVIEWERS)
def preview_page(questionnaire_id: int, page_key: str):
    """One page of the preview, as the citizen gets it (errors included); opened directly it starts empty.

    A post with previews.SHOW only shows the page (Tilbage, Ændr); otherwise it is the page's 'Fortsæt'."""
    return _preview_step(_questionnaire_or_404(questionnaire_id), page_key, one_per_page=False)


@admin_bp.route(
    "/spoergeskemaer/<int:questionnaire_id>/forhaandsvisning/spoergsmaal/<question_id>", methods=["GET", "POST"]
)
@role_required(*PREVIEWERS)
def preview_question(questionnaire_id: int, question_id: str):
    """One question of the preview as a round with one question per page asks it; otherwise as preview_page."""
    return _preview_step(_questionnaire_or_404(questionnaire_id), question_id, one_per_page=True)


def _preview_step(questionnaire: Questionnaire, key: str, one_per_page: bool):
    if not previews.names_a_step(questionnaire, key, one_per_page):
        abort(404)  # before the carried answers are read: an unknown address is not a refused form
    answers = {} if request.method == "GET" else _carried_or_refused(questionnaire)
    if isinstance(answers, tuple):
        return answers
    steps = previews.steps_of(questionnaire, answers, one_per_page)
    number = previews.step_number(steps, key, one_per_page) or abort(404)
    view = _Preview(questionnaire, one_per_page)
    if request.method == "GET" or previews.SHOW in request.form:
        return view.page(steps, number, answers, None)
    step = steps[number - 1]
    form = page_form_class(step, current_lang())()
    form.pausing = "save_later" in request.form
    if not form.validate_on_submit():
        return view.page(steps, number, answers, form)
    answers = with_page(answers, step, form.draft_answers())
    steps = previews.steps_of(questionnaire, answers, one_per_page)  # the answers may change the steps that follow
    if "save_later" in request.form:
        page_url = _page_url(questionnaire, steps, min(number, len(steps)), one_per_page)
        context = _preview_context(questionnaire, answers, one_per_page)
        return render_template("questionnaire_admin/preview_saved.html", page_url=page_url, **context)
    if request.args.get("retur") == "tjek" or number >= len(steps):
        return view.review(answers, [], SubmitForm())
    return view.page(steps, number + 1, answers, None)


def _carried_or_refused(questionnaire: Questionnaire):
    """The answers the posted form carried, or the page that refuses a changed value (400)."""
    try:
        return previews.carried(questionnaire, request.form.get(previews.CARRIED))
    except previews.CarriedAnswersRefused:
        html = render_template(
            "questionnaire_admin/preview_refused.html", has_errors=True, **_preview_context(questionnaire, {})
        )
        return html, 400


class _Preview:
    """The citizen's question and review pages for a version, in whole pages or one question per page."""

    def __init__(self, questionnaire: Questionnaire, one_per_page: bool):
        self.questionnaire, self.one_per_page = questionnaire, one_per_page

    def url(self, steps: list, number: int, **args) -> str:
        return _page_url(self.questionnaire, steps, number, self.one_per_page, **args)

    def page(self, steps: list, number: int, answers: dict, form):
        """A question page with the citizen's template; `form` is a posted form that failed, else one from
        `answers`."""
        step, lang = steps[number - 1], current_lang()
        if form is None:
            form = page_form_class(step, lang)(formdata=None, data=draft_to_form_data(step, answers))
        retur = {"retur": "tjek"} if request.args.get("retur") == "tjek" else {}
        return render_form_page(
            "questionnaire_admin/preview_page.html",
            form,
            page=step,
            number=number,
            total=flow.expected_steps(self.questionnaire.spec, answers, self.one_per_page),
            one_per_page=self.one_per_page,
            lang=lang,
            form_action=self.url(steps, number, **retur),
            back_url=self.url(steps, number - 1) if number > 1 else None,
            **_preview_context(self.questionnaire, answers, self.one_per_page),
        )

    def review(self, answers: dict, missing: list, form):
        """'Tjek dine svar' with the citizen's template; 'Ændr' and 'Tilbage' post the answers on."""
        lang, steps = current_lang(), previews.steps_of(self.questionnaire, answers, self.one_per_page)
        errors = missing_errors(missing, lang) + form.error_list()
        spec = self.questionnaire.spec
        html = render_template(
            "questionnaire_admin/preview_review.html",
            form=form,
            errors=errors,
            has_errors=bool(errors),
            rows=answer_rows(spec, answers, lang, lambda n: self.url(steps, n, retur="tjek"), self.one_per_page),
            missing_ids={q.id for q in missing},
            form_action=url_for(".preview_submit", questionnaire_id=self.questionnaire.id, **self.mode_args),
            back_url=self.url(steps, len(steps)),
            **_preview_context(self.questionnaire, answers, self.one_per_page),
        )
        return html, 400 if errors else 200

    @property
    def mode_args(self) -> dict:
        return {"spoergsmaal": "1"} if self.one_per_page else {}


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
        return _Preview(questionnaire, request.args.get("spoergsmaal") == "1").review(answers, missing, form)
    return render_template(
        "questionnaire_admin/preview_end.html",
        counted=previews.counted_answers(questionnaire, answers, current_lang()),
        **_preview_context(questionnaire, {}),
    )
