"""Citizens' own words per focus area: shown to staff only where enough people answered that no comment can
be tied to a small group, never with the writer's background answers, and picked as quotes only with consent."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.policies.models import FocusArea
from survey.questionnaire.models import Answer, Question, Response
from survey.results.models import Quote
from survey.results.report import Row
from survey.results.suppression import minimum_group

PER_PAGE = 50
#: the report shows at most this many quotes per focus area, so staff may pick at most this many per round
QUOTES_PER_AREA = 3


class QuoteRefused(Exception):
    """The answer cannot be picked; the message says why in Danish."""


@dataclass(frozen=True)
class Comment:
    answer_id: int
    round_id: int
    text: str
    may_quote: bool
    quoted: bool


def comments_minimum() -> int:
    """Comments are shown for groups of at least this many respondents: configurable, never below the minimum."""
    return max(minimum_group(), int(current_app.config.get("RESULTS_COMMENTS_MIN", 10)))


def open_rounds(rows: list[Row]) -> list[int]:
    """The rounds (of a focus area's rows) whose group is large enough for its comments to be shown."""
    least = comments_minimum()
    return [row.round_.id for row in rows if row.respondents is not None and row.respondents >= least]


def _comments(area_id: int, round_ids: list[int]):
    return (
        select(Answer.id, Response.round_id, Answer.text, Answer.may_quote, Quote.answer_id.is_not(None))
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Quote, Quote.answer_id == Answer.id)
        .where(
            Question.dimension == "open",
            Answer.focus_area_id == area_id,
            Response.round_id.in_(round_ids),
            Answer.text.is_not(None),
            Answer.text != "",
        )
    )


def comments(area_id: int, round_ids: list[int], quotable_only: bool, page: int) -> tuple[list[Comment], int]:
    """One page of comments and how many there are. Ordered by the response's random id: stable for picking,
    and telling nothing of when or in what order people answered."""
    query = _comments(area_id, round_ids)
    if quotable_only:
        query = query.where(Answer.may_quote.is_(True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    found = db.session.execute(
        query.order_by(Response.id, Answer.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return [Comment(*row) for row in found], total


def chosen_quotes(area_id: int, round_ids: list[int], limit: int = QUOTES_PER_AREA) -> list[str]:
    """The quotes picked for a focus area, the newest round first (callers pass rounds oldest first)."""
    order = {round_id: position for position, round_id in enumerate(round_ids)}
    found = db.session.execute(
        _comments(area_id, round_ids).where(Quote.answer_id.is_not(None), Answer.may_quote.is_(True))
    ).all()
    found.sort(key=lambda row: (-order[row.round_id], row.id))
    return [row.text for row in found[:limit]]


def pick(answer: Answer, round_id: int, allowed_rounds: list[int], staff_id: int) -> Quote:
    """Pick an answer as a quote for the report, if its writer agreed and its group may be shown."""
    if answer.question.dimension != "open" or not answer.text:
        raise QuoteRefused(_("Kun kommentarer kan vælges som citater."))
    if not answer.may_quote:
        raise QuoteRefused(_("Borgeren har ikke givet lov til at blive citeret."))
    if round_id not in allowed_rounds:
        raise QuoteRefused(_("Gruppen er for lille til, at kommentarer må vises."))
    # two staff picking at once must not both count 2 and make 4: the focus area's row is locked until commit
    # (PostgreSQL; SQLite's writing requests already hold the write lock from BEGIN IMMEDIATE)
    db.session.execute(select(FocusArea.id).where(FocusArea.id == answer.focus_area_id).with_for_update())
    already = db.session.scalar(
        select(func.count())
        .select_from(Quote)
        .join(Answer, Answer.id == Quote.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.focus_area_id == answer.focus_area_id, Response.round_id == round_id)
    )
    if already >= QUOTES_PER_AREA:
        raise QuoteRefused(_("Der er allerede valgt 3 citater for fokusområdet i denne runde. Fravælg et først."))
    quote = Quote(answer_id=answer.id, chosen_by_id=staff_id)
    db.session.add(quote)
    db.session.flush()
    return quote
