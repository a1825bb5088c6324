"""The committee's measures, aggregated in the database.

Per focus area and round, for a dimension (satisfaction or transparency):
- every respondent's own mean over the dimension's items they scored (1–5; "Ved ikke" and skipped items left
  out) and their share of scored items answered 4 or 5 — computed by GROUP BY per respondent;
- then per cell: n (respondents with at least one scored item), Σ and Σ² of those values, and the number of
  "Ved ikke" answers — a second GROUP BY over the first. Python only turns these few sums into estimates.
The transparency index is the respondents' mean on 1–5 mapped linearly to 0–100: (mean − 1) / 4 × 100.

Breakdowns split a cell further: by question (each question's own scores; n is who scored that question) or by
the answer to a background question such as age band (respondents who did not answer it form their own group,
so the groups add up to the cell)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from survey.extensions import db
from survey.questionnaire.models import Answer, Question, Response
from survey.results.stats import Estimate

SCALE = (1.0, 5.0)
SHARE = (0.0, 1.0)
#: the group of respondents who left a background question unanswered
NOT_ANSWERED = ""
SUM_COLUMNS = ["mean_sum", "mean_sq", "sat_sum", "sat_sq"]


@dataclass(frozen=True)
class Cell:
    """One focus area in one round, for one dimension (and one group of a breakdown, if any)."""

    round_id: int
    focus_area_id: int
    dimension: str
    mean: Estimate  # on 1–5
    share_satisfied: Estimate  # 0–1, "andel tilfredse" (answers 4 or 5 among scored answers)
    dont_know: int  # "Ved ikke" answers, counted apart
    #: the question key or background answer of a breakdown; None for the focus area as a whole
    group: str | None = None

    @property
    def n(self) -> int:
        return self.mean.n

    @property
    def index(self) -> Estimate:
        """0–100, the scale the transparency index is reported on."""
        return self.mean.scaled(100 / 4, offset=-1)


def _scored(dimension: str, round_ids: list[int]):
    """The dimension's answers in the rounds, with their round: the FROM and WHERE every measure shares."""
    return (
        select()
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.dimension == dimension, Response.round_id.in_(round_ids), Answer.focus_area_id.is_not(None))
    )


def _satisfied():
    return case((Answer.score >= 4, 1.0), (Answer.score.is_not(None), 0.0))


def _dont_know():
    return func.sum(case((Answer.choice == "dont_know", 1), else_=0))


def _per_respondent(dimension: str, round_ids: list[int], backgrounds: list[str] = ()):
    """One row per respondent and cell: the respondent's mean, share of 4–5 and "Ved ikke" count, and their
    answer to each background question as bg0, bg1… (NULL when skipped).

    The background answers are joined answer to answer by the indexed response id (a respondent answers each
    background question once at most, so no row is repeated): a join of two aggregates instead would leave the
    planner a nested loop over both when statistics are missing, quadratic in respondents."""
    keys = [Response.round_id, Answer.focus_area_id, Answer.response_id]
    query = _scored(dimension, round_ids)
    # the few question ids up front, so each joined answer is matched by value, with no lookup of its question
    asked = db.session.execute(
        select(Question.key, Question.id).where(Question.key.in_(backgrounds), Question.dimension == "background")
    ).all()
    for number, key in enumerate(backgrounds):
        given = aliased(Answer)
        ids = [question_id for asked_key, question_id in asked if asked_key == key]
        query = query.outerjoin(given, (given.response_id == Answer.response_id) & given.question_id.in_(ids))
        keys.append(given.choice.label(f"bg{number}"))
    return (
        query.add_columns(
            *keys,
            func.avg(Answer.score).label("mean"),
            func.avg(_satisfied()).label("satisfied"),
            _dont_know().label("dont_know"),
        )
        .group_by(*keys)
        .subquery()
    )


def _frame(query) -> pd.DataFrame:
    frame = pd.DataFrame(db.session.execute(query).all(), columns=list(query.selected_columns.keys()))
    frame[SUM_COLUMNS] = frame[SUM_COLUMNS].astype(float)  # PostgreSQL returns Decimal
    return frame


def cell_sums(dimension: str, round_ids: list[int], backgrounds: list[str] = ()) -> pd.DataFrame:
    """The per-cell sums as a small frame: round_id, focus_area_id, one column per background question (bg0,
    bg1…, its answer or NOT_ANSWERED), n, mean_sum, mean_sq, sat_sum, sat_sq, dont_know.

    One scan serves the focus areas and every background breakdown: the sums add up, so `collapse` gets each of
    them from this frame (whose rows are at most rounds × areas × the product of the groups: small)."""
    person = _per_respondent(dimension, round_ids, list(backgrounds))
    keys = [person.c.round_id, person.c.focus_area_id]
    keys += [func.coalesce(person.c[f"bg{n}"], NOT_ANSWERED).label(f"bg{n}") for n in range(len(backgrounds))]
    query = select(
        *keys,
        func.count(person.c.mean).label("n"),
        func.sum(person.c.mean).label("mean_sum"),
        func.sum(person.c.mean * person.c.mean).label("mean_sq"),
        func.sum(person.c.satisfied).label("sat_sum"),
        func.sum(person.c.satisfied * person.c.satisfied).label("sat_sq"),
        func.sum(person.c.dont_know).label("dont_know"),
    ).group_by(*keys)
    return _frame(query)


def collapse(sums: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """The sums per (round, area), or per (round, area, answer) for the background column `by`, as `grp`."""
    keys = ["round_id", "focus_area_id"] + ([by] if by else [])
    frame = sums.groupby(keys, as_index=False, sort=False)[["n", *SUM_COLUMNS, "dont_know"]].sum()
    frame["grp"] = frame[by] if by else None
    return frame


def question_sums(dimension: str, round_ids: list[int]) -> pd.DataFrame:
    """The same sums per question (by key, so versions of a questionnaire line up): one GROUP BY, since each
    respondent gives a question one answer at most."""
    satisfied = _satisfied()
    query = (
        _scored(dimension, round_ids)
        .add_columns(
            Response.round_id,
            Answer.focus_area_id,
            Question.key.label("grp"),
            func.count(Answer.score).label("n"),
            func.sum(Answer.score).label("mean_sum"),
            func.sum(Answer.score * Answer.score).label("mean_sq"),
            func.sum(satisfied).label("sat_sum"),
            func.sum(satisfied).label("sat_sq"),  # 0 or 1, so the square is the value
            _dont_know().label("dont_know"),
        )
        .group_by(Response.round_id, Answer.focus_area_id, Question.key)
    )
    return _frame(query)


def to_cells(dimension: str, sums: pd.DataFrame) -> list[Cell]:
    """Estimates from the sums; rows nobody scored are left out."""
    found = []
    for row in sums.itertuples(index=False):
        if not row.n:
            continue
        found.append(
            Cell(
                round_id=row.round_id,
                focus_area_id=row.focus_area_id,
                dimension=dimension,
                mean=Estimate.from_sums(int(row.n), row.mean_sum, row.mean_sq, SCALE),
                share_satisfied=Estimate.from_sums(int(row.n), row.sat_sum, row.sat_sq, SHARE),
                dont_know=int(row.dont_know or 0),
                group=row.grp,
            )
        )
    return found


def cells(dimension: str, round_ids: list[int], background: str | None = None) -> list[Cell]:
    """Every (round, focus area) cell of a dimension with its estimates, optionally split by a background
    question's answer."""
    sums = cell_sums(dimension, round_ids, [background] if background else [])
    return to_cells(dimension, collapse(sums, "bg0" if background else None))


def question_cells(dimension: str, round_ids: list[int]) -> list[Cell]:
    """Every (round, focus area, question) cell of a dimension; `group` is the question key."""
    return to_cells(dimension, question_sums(dimension, round_ids))
