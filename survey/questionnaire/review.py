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
    """(page title, rows) for every page of the draft's questionnaire asked, each row's 'Ændr' leading to its step."""

    def change_url(number: int) -> str:
        return url_for(".page", round_slug=round_.slug, token=token, number=number, retur="tjek")

    spec, answers = round_.questionnaire.spec, draft.answers or {}
    return answer_rows(spec, answers, lang, change_url, round_.one_question_per_page)


def answer_rows(
    spec: QuestionnaireSpec,
    answers: dict[str, DraftAnswer],
    lang: str,
    change_url: Callable[[int], str],
    one_per_page: bool = False,
) -> list[tuple[str, list[ReviewRow]]]:
    """(page title, rows) for every page asked; `change_url(number)` is where step `number`'s answers change. With
    one question per page, the steps of a page are shown together under its title: the review stays one page."""
    pages: list[tuple[str, list[ReviewRow]]] = []
    previous = None
    for number, step in enumerate(flow.steps(spec, answers, one_per_page), start=1):
        step_url = change_url(number)
        if step.page is not previous:
            pages.append((step.title.get(lang), []))
            previous = step.page
        for question in step.questions:
            shown = question.question_kind.review_text(question, answers.get(question.id) or {}, lang)
            pages[-1][1].append(
                ReviewRow(
                    question.id,
                    question.text.get(lang),
                    str(shown or _("Ikke besvaret")),
                    bool(shown),
                    f"{step_url}#{question.id}",
                )
            )
    return pages


def missing_errors(missing: list[QuestionSpec], lang: str) -> list[tuple[str, str]]:
    """The error summary's lines for required questions left unanswered, each linking to its 'Ændr'."""
    return [(f"change-{q.id}", _("Du mangler at svare på: %(question)s", question=q.text.get(lang))) for q in missing]
