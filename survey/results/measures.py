"""The committee's measures, aggregated in the database.

Per focus area and round, for a dimension (satisfaction or transparency):
- every respondent's own mean over the dimension's items they scored (1–5; "Ved ikke" and skipped items left
  out), and whether they are satisfied: a respondent is satisfied (agrees, for transparency) when that own mean
  is 4 or more — computed by GROUP BY per respondent;
- then per cell: n (respondents with at least one scored item), Σ and Σ² of their means, the number of satisfied
  respondents (sat_sum; sat_sq is the same number, the indicator being 0 or 1) and the number of "Ved ikke"
  answers — a second GROUP BY over the first. Python only turns these few sums into estimates.
Andel tilfredse: the share of respondents who are satisfied. A respondent is satisfied when their own mean over
the satisfaction items of that focus area they scored is 4 or more (satisfied respondents / n).
The transparency index is the respondents' mean on 1–5 mapped linearly to 0–100: (mean − 1) / 4 × 100.

Breakdowns split a cell further: by question (each question's own scores; n is who scored that question) or by
the answer to a background question such as age band (respondents who did not answer it form their own group,
so the groups add up to the cell).

The results read these sums from the table result_sum, kept up to date at every submit (see results.sums), so
their cost grows with the number of cells, not of answers. The GROUP BY over the answers below
(`cell_sums_from_answers`, `question_sums_from_answers`) is what the table is rebuilt from and checked against."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from survey.kernel.extensions import db
from survey.questionnaire.kinds import DONT_KNOW, kind_of
from survey.questionnaire.models import Answer, Question, Response, Round
from survey.results.models import ResultSum
from survey.results.stats import Estimate

if TYPE_CHECKING:  # pandas is imported where a frame is made, so that a citizen's worker never loads it
    import pandas as pd

SCALE = (1.0, 5.0)
#: the group of respondents who left a background question unanswered
NOT_ANSWERED = ""
SUM_COLUMNS = ["mean_sum", "mean_sq", "sat_sum", "sat_sq"]
#: the dimensions whose sums are kept in result_sum
KEPT_DIMENSIONS = ("satisfaction", "transparency")


@dataclass(frozen=True)
class Cell:
    """One focus area in one round, for one dimension (and one group of a breakdown, if any)."""

    round_id: int
    focus_area_id: int
    dimension: str
    mean: Estimate  # on 1–5
    #: 0–1, "andel tilfredse": the share of the n respondents whose own mean over the items is 4 or more
    share_satisfied: Estimate
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
    """One answer scored 4 or 5: 1, scored lower: 0 (a question's own rows, where each respondent has one answer)."""
    return case((Answer.score >= 4, 1.0), (Answer.score.is_not(None), 0.0))


def _satisfied_respondent():
    """A respondent whose own mean over their scored items is 4 or more: 1, else 0; NULL with no scored item.
    Compared as Σ ≥ 4 × count, exactly, with no division."""
    scored = func.count(Answer.score)
    return case((scored == 0, None), (func.sum(Answer.score) >= 4 * scored, 1.0), else_=0.0)


def _dont_know():
    return func.sum(case((Answer.choice == DONT_KNOW, 1), else_=0))


def _per_respondent(dimension: str, round_ids: list[int], backgrounds: list[str] = (), run=None):
    """One row per respondent and cell: the respondent's mean, whether satisfied and "Ved ikke" count, and their
    answer to each background question as bg0, bg1… (NULL when skipped).

    The background answers are joined answer to answer by the indexed response id (a respondent answers each
    background question once at most, so no row is repeated): a join of two aggregates instead would leave the
    planner a nested loop over both when statistics are missing, quadratic in respondents."""
    keys = [Response.round_id, Answer.focus_area_id, Answer.response_id]
    query = _scored(dimension, round_ids)
    # the few question ids up front, so each joined answer is matched by value, with no lookup of its question
    asked = (
        (run or db.session)
        .execute(
            select(Question.key, Question.id).where(Question.key.in_(backgrounds), Question.dimension == "background")
        )
        .all()
    )
    for number, key in enumerate(backgrounds):
        given = aliased(Answer)
        ids = [question_id for asked_key, question_id in asked if asked_key == key]
        query = query.outerjoin(given, (given.response_id == Answer.response_id) & given.question_id.in_(ids))
        keys.append(given.choice.label(f"bg{number}"))
    return (
        query.add_columns(
            *keys,
            func.avg(Answer.score).label("mean"),
            _satisfied_respondent().label("satisfied"),
            _dont_know().label("dont_know"),
        )
        .group_by(*keys)
        .subquery()
    )


def _frame(query, run=None) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame((run or db.session).execute(query).all(), columns=list(query.selected_columns.keys()))
    frame[SUM_COLUMNS] = frame[SUM_COLUMNS].astype(float)  # PostgreSQL returns Decimal
    return frame


def cell_sums(dimension: str, round_ids: list[int], backgrounds: list[str] = ()) -> pd.DataFrame:
    """The per-cell sums as a small frame: round_id, focus_area_id, one column per background question (bg0,
    bg1…, its answer or NOT_ANSWERED), n, mean_sum, mean_sq, sat_sum, sat_sq, dont_know.

    One read serves the focus areas and every background breakdown: the sums add up, so `collapse` gets each of
    them from this frame (whose rows are at most rounds × areas × the product of the groups: small). Read from
    the kept sums, whose rows are split by every breakdown question of the round, so any of them can be summed
    out here; a dimension or background question they are not kept for is computed from the answers."""
    if dimension not in KEPT_DIMENSIONS or not _kept_for(round_ids, backgrounds):
        return cell_sums_from_answers(dimension, round_ids, backgrounds)
    frame = _kept(dimension, round_ids, questions=False)
    groups = {text: json.loads(text) for text in set(frame["backgrounds"])}
    keys = ["round_id", "focus_area_id"]
    for number, key in enumerate(backgrounds):
        # a question missing from a round's questionnaire was not answered there
        frame[f"bg{number}"] = [groups[text].get(key, NOT_ANSWERED) for text in frame["backgrounds"]]
        keys.append(f"bg{number}")
    return frame.groupby(keys, as_index=False, sort=False)[["n", *SUM_COLUMNS, "dont_know"]].sum()


def question_sums(dimension: str, round_ids: list[int]) -> pd.DataFrame:
    """The same sums per question (by key, so versions of a questionnaire line up) as grp, from the kept sums."""
    if dimension not in KEPT_DIMENSIONS:
        return question_sums_from_answers(dimension, round_ids)
    return _kept(dimension, round_ids, questions=True).drop(columns="backgrounds")


def _kept(dimension: str, round_ids: list[int], questions: bool) -> pd.DataFrame:
    """The kept rows of the rounds: the focus areas' rows (one per background group) or the questions' rows."""
    query = select(
        ResultSum.round_id,
        ResultSum.focus_area_id,
        ResultSum.question.label("grp"),
        ResultSum.backgrounds,
        ResultSum.n,
        *(ResultSum.__table__.c[name] for name in SUM_COLUMNS),
        ResultSum.dont_know,
    ).where(
        ResultSum.dimension == dimension,
        ResultSum.round_id.in_(round_ids),
        ResultSum.question != "" if questions else ResultSum.question == "",
    )
    return _frame(query)


def is_breakdown(question) -> bool:
    """A background question results are split by (report.report_questions, and the sums kept at submit): of a
    kind that says so (one choice), and not the routing question."""
    return question.dimension == "background" and kind_of(question).breakdown and not question.routing


def _kept_for(round_ids: list[int], backgrounds: list[str]) -> bool:
    """True when every background question asked in the rounds under these keys is kept in their sums."""
    if not backgrounds:
        return True
    query = (
        select(Question.dimension, Question.kind, Question.routing)
        .join(Round, Round.questionnaire_id == Question.questionnaire_id)
        .where(Round.id.in_(round_ids), Question.key.in_(backgrounds), Question.dimension == "background")
    )
    return all(is_breakdown(question) for question in db.session.execute(query))


def cell_sums_from_answers(dimension: str, round_ids: list[int], backgrounds: list[str] = (), run=None) -> pd.DataFrame:
    """`cell_sums` computed from the answers by a GROUP BY per respondent, then per cell: what the kept sums are
    rebuilt from (`run`: a connection, else the session)."""
    person = _per_respondent(dimension, round_ids, list(backgrounds), run)
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
    return _frame(query, run)


def collapse(sums: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """The sums per (round, area), or per (round, area, answer) for the background column `by`, as `grp`."""
    keys = ["round_id", "focus_area_id"] + ([by] if by else [])
    frame = sums.groupby(keys, as_index=False, sort=False)[["n", *SUM_COLUMNS, "dont_know"]].sum()
    frame["grp"] = frame[by] if by else None
    return frame


def question_sums_from_answers(dimension: str, round_ids: list[int], run=None) -> pd.DataFrame:
    """`question_sums` computed from the answers: one GROUP BY, since each respondent gives a question one answer
    at most."""
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
    return _frame(query, run)


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
                share_satisfied=Estimate.from_count(int(row.n), row.sat_sum),
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
