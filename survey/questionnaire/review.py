"""The rows of 'Tjek dine svar': each question with the answer in words and a link to change it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

from survey.questionnaire import flow
from survey.questionnaire.kinds import DraftAnswer
from survey.questionnaire.models import Draft, Round
from survey.questionnaire.schema import QuestionnaireSpec, QuestionSpec


@dataclass(frozen=True)
class ReviewRow:
    question_id: str
    question: str
    answer: str
    answered: bool
    change_url: str


def review_rows(round_: Round, draft: Draft, token: str, lang: str) -> list[tuple[str, list[ReviewRow]]]:
    """(page title, rows) for every step of the draft's questionnaire."""

    def change_url(number: int) -> str:
        return url_for(".page", round_slug=round_.slug, token=token, number=number, retur="tjek")

    return answer_rows(round_.questionnaire.spec, draft.answers or {}, lang, change_url)


def answer_rows(
    spec: QuestionnaireSpec, answers: dict[str, DraftAnswer], lang: str, change_url: Callable[[int], str]
) -> list[tuple[str, list[ReviewRow]]]:
    """(page title, rows) for every step asked; `change_url(number)` is where a step's answers change."""
    pages = []
    for number, page in enumerate(flow.steps(spec, answers), start=1):
        page_url = change_url(number)
        rows = []
        for question in page.questions:
            shown = question.question_kind.review_text(question, answers.get(question.id) or {}, lang)
            rows.append(
                ReviewRow(
                    question.id,
                    question.text.get(lang),
                    str(shown or _("Ikke besvaret")),
                    bool(shown),
                    f"{page_url}#{question.id}",
                )
            )
        pages.append((page.title.get(lang), rows))
    return pages


def missing_errors(missing: list[QuestionSpec], lang: str) -> list[tuple[str, str]]:
    """The error summary's lines for required questions left unanswered, each linking to its 'Ændr'."""
    return [(f"change-{q.id}", _("Du mangler at svare på: %(question)s", question=q.text.get(lang))) for q in missing]
