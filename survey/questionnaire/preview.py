"""The staff preview of a questionnaire version: the citizen's pages, nothing stored.

The answers given so far travel in the page's form, signed (the session cookie is too small for free text, and
the database must not hold them): a changed value is refused, never trusted."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from survey.questionnaire import flow
from survey.questionnaire.flow import Step
from survey.questionnaire.kinds import DraftAnswer
from survey.questionnaire.models import Questionnaire
from survey.questionnaire.schema import CHOSEN, MEETING
from survey.questionnaire.services import chosen_area_code

SALT = "questionnaire-preview"
#: the form fields of the preview's own: a question's id is a slug, which has no "_", so they never clash
CARRIED = "preview_answers"
SHOW = "preview_show"


class CarriedAnswersRefused(ValueError):
    """The answers carried in a preview's form were changed, or belong to another version."""


@dataclass(frozen=True)
class PreviewRound:
    """What the citizen's templates read of a round, for a version shown without one."""

    questionnaire: Questionnaire
    slug: str = ""
    uses_invitations: bool = False
    one_question_per_page: bool = False


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def carry(questionnaire: Questionnaire, answers: dict[str, DraftAnswer]) -> str:
    """The answers as a signed value for the next page's form, bound to this version."""
    return _serializer().dumps({"questionnaire": questionnaire.id, "answers": answers})


def carried(questionnaire: Questionnaire, value: str | None) -> dict[str, DraftAnswer]:
    """The answers a preview form carried; raises CarriedAnswersRefused when missing, changed or from elsewhere."""
    try:
        data = _serializer().loads(value or "")
    except BadSignature as error:
        raise CarriedAnswersRefused from error
    if not isinstance(data, dict) or data.get("questionnaire") != questionnaire.id:
        raise CarriedAnswersRefused
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise CarriedAnswersRefused
    known = {q.id for q in questionnaire.spec.questions()}
    return {key: answer for key, answer in answers.items() if key in known and isinstance(answer, dict)}


def steps_of(questionnaire: Questionnaire, answers: dict[str, DraftAnswer], one_per_page: bool) -> list[Step]:
    """The screens the citizen who gave `answers` gets: whole pages, or one question each."""
    return flow.steps(questionnaire.spec, answers, one_per_page)


def step_key(step: Step, one_per_page: bool) -> str:
    """A step's part of its preview address: its page's id, or with one question per page the question's id."""
    return step.questions[0].id if one_per_page else step.id


def names_a_step(questionnaire: Questionnaire, key: str, one_per_page: bool) -> bool:
    """True when `key` is a page's id (or with one question per page a question's id) of the questionnaire."""
    spec = questionnaire.spec
    return key in ({q.id for q in spec.questions()} if one_per_page else {page.id for page in spec.pages})


def step_number(steps: list[Step], key: str, one_per_page: bool) -> int | None:
    """The 1-based number of the step with this key, or None."""
    return next((n for n, step in enumerate(steps, start=1) if step_key(step, one_per_page) == key), None)


@dataclass(frozen=True)
class CountedAnswer:
    """How one answer would be stored: in words, and the focus area its results would count for."""

    question: str
    answer: str
    focus_area: str


def counted_answers(questionnaire: Questionnaire, answers: dict[str, DraftAnswer], lang: str) -> list[CountedAnswer]:
    """The answers to the questions asked on the route taken, each with the focus area a submit would store it
    against (the routing choice applied; the routing answer itself, background, counts for none)."""
    areas = {area.code: f"{area.code} {area.title}" for area in questionnaire.policy.focus_areas}
    chosen = chosen_area_code(questionnaire.spec, answers)
    rows = []
    for question in flow.asked_questions(questionnaire.spec, answers):
        shown = question.question_kind.review_text(question, answers.get(question.id) or {}, lang)
        if not shown:
            continue
        if question.focus_area == CHOSEN:
            area = areas.get(chosen, _("intet valgt"))
        elif question.focus_area == MEETING:
            area = _("dialogmødets fokusområder")
        else:
            area = areas.get(question.focus_area, "–")
        rows.append(CountedAnswer(question.text.get(lang), str(shown), area))
    return rows
