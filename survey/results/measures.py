"""The committee's measures, aggregated in the database.

Per focus area and round, for a dimension (satisfaction or transparency):
- every respondent's own mean over the dimension's items they scored (1–5; "Ved ikke" and skipped items left
  out) and their share of scored items answered 4 or 5 — computed by GROUP BY per respondent;
- then per cell: n (respondents with at least one scored item), Σ and Σ² of those values, and the number of
  "Ved ikke" answers — a second GROUP BY over the first. Python only turns these few sums into estimates.
The transparency index is the respondents' mean on 1–5 mapped linearly to 0–100: (mean − 1) / 4 × 100."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func, select

from survey.extensions import db
from survey.questionnaire.models import Answer, Question, Response
from survey.results.stats import Estimate

SCALE = (1.0, 5.0)
SHARE = (0.0, 1.0)


@dataclass(frozen=True)
class Cell:
    """One focus area in one round, for one dimension."""

    round_id: int
    focus_area_id: int
    dimension: str
    mean: Estimate  # on 1–5
    share_satisfied: Estimate  # 0–1, "andel tilfredse" (answers 4 or 5 among scored answers)
    dont_know: int  # "Ved ikke" answers, counted apart

    @property
    def n(self) -> int:
        return self.mean.n

    @property
    def index(self) -> Estimate:
        """0–100, the scale the transparency index is reported on."""
        return self.mean.scaled(100 / 4, offset=-1)


def _per_respondent(dimension: str, round_ids: list[int]):
    scored = Answer.score.is_not(None)
    return (
        select(
            Response.round_id,
            Answer.focus_area_id,
            Answer.response_id,
            func.avg(Answer.score).label("mean"),
            func.avg(case((Answer.score >= 4, 1.0), (scored, 0.0))).label("satisfied"),
            func.sum(case((Answer.choice == "dont_know", 1), else_=0)).label("dont_know"),
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.dimension == dimension, Response.round_id.in_(round_ids), Answer.focus_area_id.is_not(None))
        .group_by(Response.round_id, Answer.focus_area_id, Answer.response_id)
        .subquery()
    )


def cell_sums(dimension: str, round_ids: list[int]) -> pd.DataFrame:
    """The per-cell sums as a small frame: round_id, focus_area_id, n, mean_sum, mean_sq, sat_sum, sat_sq,
    dont_know."""
    person = _per_respondent(dimension, round_ids)
    query = select(
        person.c.round_id,
        person.c.focus_area_id,
        func.count(person.c.mean).label("n"),
        func.sum(person.c.mean).label("mean_sum"),
        func.sum(person.c.mean * person.c.mean).label("mean_sq"),
        func.sum(person.c.satisfied).label("sat_sum"),
        func.sum(person.c.satisfied * person.c.satisfied).label("sat_sq"),
        func.sum(person.c.dont_know).label("dont_know"),
    ).group_by(person.c.round_id, person.c.focus_area_id)
    frame = pd.DataFrame(db.session.execute(query).all(), columns=list(query.selected_columns.keys()))
    numbers = ["mean_sum", "mean_sq", "sat_sum", "sat_sq"]
    frame[numbers] = frame[numbers].astype(float)  # PostgreSQL returns Decimal
    return frame


def cells(dimension: str, round_ids: list[int]) -> list[Cell]:
    """Every (round, focus area) cell of a dimension with its estimates; cells nobody scored are left out."""
    found = []
    for row in cell_sums(dimension, round_ids).itertuples(index=False):
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
            )
        )
    return found
