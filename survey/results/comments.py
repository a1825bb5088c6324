"""Citizens' own words per focus area: shown to staff only where enough people were asked the open question that no
comment can be tied to a small group, never with the writer's background answers. Picking them as quotes for the
report is results.quotes.

Who was asked an open question for a focus area follows from how its answers are routed (Question): a question
with a fixed focus area is asked of every respondent of the round, one that follows the routing of those whose
routing answer chose the area, one about a dialogue meeting of everyone in a round that asks about the area. Counting
everyone who answered anything about the area instead would let a question that all answer (one with a fixed area)
lift a group of two over the threshold."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask import current_app
from sqlalchemy import and_, false, func, or_, select

from survey.kernel.extensions import db
from survey.policies.models import FocusArea
from survey.questionnaire import flow
from survey.questionnaire.models import Answer, Question, Response, Round, round_focus_area
from survey.results.models import Quote
from survey.results.personal_data import find_personal_data, kinds_found
from survey.results.suppression import minimum_group

PER_PAGE = 50


@dataclass(frozen=True)
class Comment:
    answer_id: int
    round_id: int
    text: str
    may_quote: bool
    quoted: bool
    #: the quote's redacted text, the one the report prints (None: not picked, or picked as it stands)
    redacted: str | None = None

    @property
    def personal_data(self) -> list[str]:
        """The kinds of personal data the text seems to hold (e.g. "fornavn", "alder"); empty when none."""
        return kinds_found(find_personal_data(self.text))


@dataclass(frozen=True)
class AskedGroup:
    """One open question in one round, and how many respondents were asked it for the focus area."""

    round_id: int
    question_id: int
    asked: int


def comments_minimum() -> int:
    """Comments are shown for groups of at least this many respondents: configurable, never below the minimum."""
    return max(minimum_group(), int(current_app.config.get("RESULTS_COMMENTS_MIN", 10)))


class AskedCounts:
    """What asked() counts in the database about the rounds, counted once however many focus areas are looked at
    (the committee's report looks at every area: at 10 M answers each count reads every routing answer)."""

    def __init__(self, round_ids: list[int]):
        self.round_ids = round_ids

    @cached_property
    def everyone(self) -> dict[int, int]:
        """Respondents per round."""
        query = select(Response.round_id, func.count()).where(Response.round_id.in_(self.round_ids))
        return dict(db.session.execute(query.group_by(Response.round_id)).all())

    @cached_property
    def open_questions(self) -> list[tuple[int, Question]]:
        """(round id, question) of every open question the rounds ask."""
        query = (
            select(Round.id, Question)
            .join(Question, Question.questionnaire_id == Round.questionnaire_id)
            .where(Round.id.in_(self.round_ids), Question.dimension == "open")
        )
        return [tuple(row) for row in db.session.execute(query).all()]

    @cached_property
    def per_routing_option(self) -> dict[int, dict[str, int]]:
        """Per round, how many respondents gave each routing answer (counted per option in the database)."""
        query = (
            select(Response.round_id, Answer.choice, func.count(func.distinct(Answer.response_id)))
            .join(Answer, Answer.response_id == Response.id)
            .join(Question, Question.id == Answer.question_id)
            .where(Response.round_id.in_(self.round_ids), Question.routing.is_(True))
            .group_by(Response.round_id, Answer.choice)
        )
        found: dict[int, dict[str, int]] = {}
        for round_id, choice, count in db.session.execute(query).all():
            found.setdefault(round_id, {})[choice] = count
        return found

    def routed(self, area_id: int) -> dict[int, dict[str, int]]:
        """Per round, how many respondents gave each routing answer that chooses the focus area: the options read
        as their areas (the routing answer is background and carries no area)."""
        code = db.session.get(FocusArea, area_id).code
        routed: dict[int, dict[str, int]] = {}
        for round_id, counts in self.per_routing_option.items():
            spec = db.session.get(Round, round_id).questionnaire.spec
            routing = next((q for q in spec.questions() if q.routing), None)
            chosen = {o.value for o in (routing.options or []) if o.focus_area == code} if routing else set()
            for choice, count in counts.items():
                if choice in chosen:
                    routed.setdefault(round_id, {})[choice] = count
        return routed


def asked(area_id: int, round_ids: list[int], counts: AskedCounts | None = None) -> list[AskedGroup]:
    """For every open question of the rounds that can address the focus area: how many were asked it for the area
    (`counts`: what was counted already for another area of the same rounds)."""
    if not round_ids:
        return []
    counts = AskedCounts(round_ids) if counts is None else counts
    routed = counts.routed(area_id)
    about_area = set(
        db.session.scalars(
            select(round_focus_area.c.round_id).where(
                round_focus_area.c.round_id.in_(round_ids), round_focus_area.c.focus_area_id == area_id
            )
        )
    )
    groups = []
    for round_id, question in counts.open_questions:
        if question.follows_meeting:
            count = counts.everyone.get(round_id, 0) if round_id in about_area else None
        elif question.follows_routing:
            count = _asked_on_routes(round_id, question, routed)
        else:
            count = counts.everyone.get(round_id, 0) if question.focus_area_id == area_id else None
        if count is not None:
            groups.append(AskedGroup(round_id, question.id, count))
    return groups


def _asked_on_routes(round_id: int, question: Question, routed: dict[int, dict[str, int]]) -> int:
    """Those whose routing answer chose the area and whose route asks the question (its show_if on the routing
    question, if any)."""
    spec = db.session.get(Round, round_id).questionnaire.spec
    question_spec = next((q for q in spec.questions() if q.id == question.key), None)
    values = flow.routing_values(spec, question_spec) if question_spec else None
    return sum(count for choice, count in routed.get(round_id, {}).items() if values is None or choice in values)


def comment_groups(area_id: int, round_ids: list[int], counts: AskedCounts | None = None) -> list[tuple[int, int]]:
    """The (round id, question id) pairs whose comments about the focus area may be shown: asked of enough people."""
    least = comments_minimum()
    return [(g.round_id, g.question_id) for g in asked(area_id, round_ids, counts) if g.asked >= least]


def in_groups(groups: list[tuple[int, int]]):
    """A condition on answers (joined with their response): in one of the (round id, question id) groups."""
    if not groups:
        return false()
    return or_(*(and_(Response.round_id == r, Answer.question_id == q) for r, q in groups))


def area_comments(area_id: int, groups: list[tuple[int, int]], quoted_only: bool = False):
    """The query of the comments about a focus area in the given (round id, question id) groups, with their quote
    (`quoted_only`: only those picked as quotes, found from the few quotes rather than from every answer)."""
    joined = (
        select(
            Answer.id,
            Response.round_id,
            Answer.text,
            Answer.may_quote,
            Quote.answer_id.is_not(None),
            Quote.redacted_text,
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
    )
    quote = Quote.answer_id == Answer.id
    joined = joined.join(Quote, quote) if quoted_only else joined.outerjoin(Quote, quote)
    return joined.where(
        Question.dimension == "open",
        Answer.focus_area_id == area_id,
        in_groups(groups),
        Answer.text.is_not(None),
        Answer.text != "",
    )


def comments(area_id: int, groups: list[tuple[int, int]], quotable_only: bool, page: int) -> tuple[list[Comment], int]:
    """One page of comments (of the groups that may be shown) and how many there are. Ordered by the response's
    random id: stable for picking, and telling nothing of when or in what order people answered."""
    query = area_comments(area_id, groups)
    if quotable_only:
        query = query.where(Answer.may_quote.is_(True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    found = db.session.execute(
        query.order_by(Response.id, Answer.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return [Comment(*row) for row in found], total
