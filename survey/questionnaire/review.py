"""The rows of 'Tjek dine svar': each question with the answer in words and a link to change it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

from survey.questionnaire.models import Draft, Round


@dataclass(frozen=True)
class ReviewRow:
    question_id: str
    question: str
    answer: str
    answered: bool
    change_url: str


def review_rows(round_: Round, draft: Draft, token: str, lang: str) -> list[tuple[str, list[ReviewRow]]]:
    """(page title, rows) for every page of the draft's questionnaire."""
    answers = draft.answers or {}
    pages = []
    for number, page in enumerate(round_.questionnaire.spec.pages, start=1):
        change_url = url_for(".page", round_slug=round_.slug, token=token, number=number, retur="tjek")
        rows = []
        for question in page.questions:
            shown = question.question_kind.review_text(question, answers.get(question.id) or {}, lang)
            rows.append(
                ReviewRow(
                    question.id,
                    question.text.get(lang),
                    str(shown or _("Ikke besvaret")),
                    bool(shown),
                    f"{change_url}#{question.id}",
                )
            )
        pages.append((page.title.get(lang), rows))
    return pages
