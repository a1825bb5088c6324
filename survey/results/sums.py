"""The running sums of the committee's measures (table result_sum), added to by every submit, so that the results
cost grows with the number of cells and not with the number of answers.

A submit adds its respondent's contribution to each cell it touches in its own transaction, as increments
(`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n, …`): PostgreSQL locks each row while it adds and SQLite
lets one writer in at a time, so no submit's addition is lost; the rows are always written in one sorted order,
so two submits touching the same cells wait for each other instead of deadlocking. The definitions are those of
measures: the respondent's own mean, whether that mean is 4 or more (satisfied) and "Ved ikke" count per focus area
and dimension.

Whatever writes or deletes answers in bulk (the synthetic responses, the migration that made this table, test
data) rebuilds the rounds' sums from the answers with `rebuild_sums`, the GROUP BY that is also the oracle the
kept sums are tested against; `flask --app wsgi results rebuild-sums` does it by hand."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from sqlalchemy import Connection, delete, insert, select, text

from survey.kernel.database import dialect_insert
from survey.kernel.extensions import db
from survey.questionnaire.kinds import DONT_KNOW
from survey.questionnaire.models import Question, Response, Round
from survey.results.measures import (
    KEPT_DIMENSIONS,
    NOT_ANSWERED,
    SUM_COLUMNS,
    cell_sums_from_answers,
    is_breakdown,
    question_sums_from_answers,
)
from survey.results.models import ResultSum

KEY = ("round_id", "focus_area_id", "dimension", "question", "backgrounds")
VALUES = ("n", *SUM_COLUMNS, "dont_know")
#: the `question` of a focus area's row
AREA = ""
#: (round id, focus area id, dimension, question key or AREA, backgrounds text or "") → n, Σ, Σ², Σ, Σ², "Ved ikke"
Increments = dict[tuple[int, int, str, str, str], list[float]]
#: what the sums need of one answer: question key, dimension, focus area id, choice, score
AnswerFacts = tuple[str, str, int | None, str | None, int | None]
#: rows per INSERT when a rebuild writes (SQLite allows 32766 bound values per statement)
INSERT_BATCH = 1000


def groups_text(answers: dict[str, str]) -> str:
    """The backgrounds key of a focus area's row: the same text for the same answers, however they were found."""
    return json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def breakdown_keys(questions: Iterable) -> list[str]:
    """The keys of a questionnaire's questions that results are split by (kept in every focus area row)."""
    return sorted(question.key for question in questions if is_breakdown(question))


def response_increments(round_id: int, answers: Iterable[AnswerFacts], breakdowns: list[str]) -> Increments:
    """One respondent's contribution to every row of the round it touches, computed from their answers."""
    chosen: dict[str, str] = {}
    scored: dict[tuple[int, str], tuple[list[int], list[int]]] = defaultdict(lambda: ([], [0]))
    rows: Increments = {}
    for key, dimension, area_id, choice, score in answers:
        if key in breakdowns and choice:
            chosen.setdefault(key, choice)
        if dimension not in KEPT_DIMENSIONS or area_id is None:
            continue
        dont_know = int(choice == DONT_KNOW)
        scores, dont_knows = scored[(area_id, dimension)]
        dont_knows[0] += dont_know
        if score is None:
            rows[(round_id, area_id, dimension, key, "")] = [0, 0.0, 0.0, 0.0, 0.0, dont_know]
            continue
        scores.append(score)
        satisfied = float(score >= 4)  # 0 or 1, so its square is itself
        rows[(round_id, area_id, dimension, key, "")] = [1, float(score), float(score * score), satisfied, satisfied, 0]
    group = groups_text({key: chosen.get(key, NOT_ANSWERED) for key in breakdowns})
    for (area_id, dimension), (scores, dont_knows) in scored.items():
        if scores:
            mean, satisfied = sum(scores) / len(scores), float(sum(scores) >= 4 * len(scores))
            values = [1, mean, mean * mean, satisfied, satisfied, dont_knows[0]]
        else:  # only "Ved ikke" or unscored answers: counted apart, not a respondent with a mean
            values = [0, 0.0, 0.0, 0.0, 0.0, dont_knows[0]]
        rows[(round_id, area_id, dimension, AREA, group)] = values
    return rows


def add_response(response: Response) -> None:
    """Add a new response's answers to the kept sums, in the caller's transaction. Only executes."""
    questionnaire = response.round.questionnaire
    facts = [
        (answer.question.key, answer.question.dimension, answer.focus_area_id, answer.choice, answer.score)
        for answer in response.answers
    ]
    increments = response_increments(response.round.id, facts, breakdown_keys(questionnaire.questions))
    add_increments(db.session.connection(), increments)


def add_increments(connection: Connection, increments: Increments) -> None:
    """Add to the rows (made when missing) in sorted key order: concurrent submits then lock shared rows in the
    same order and never deadlock, and each adds to what the one before committed. One statement, compiled
    once, run for every row (compiling a statement of many rows would cost more than running it)."""
    if not increments:
        return
    rows = [
        dict(zip(KEY, key, strict=True)) | dict(zip(VALUES, values, strict=True))
        for key, values in sorted(increments.items())
    ]
    connection.execute(_upsert(connection.dialect.name), rows)


@cache
def _upsert(dialect_name: str):
    table = ResultSum.__table__
    statement = dialect_insert(dialect_name, table)
    return statement.on_conflict_do_update(
        index_elements=list(KEY), set_={name: table.c[name] + statement.excluded[name] for name in VALUES}
    )


def rebuild_sums(connection: Connection, round_ids: list[int] | None = None) -> int:
    """Recompute the rounds' sums (all rounds when None) from their answers, replacing the kept ones, in the
    connection's transaction; returns the rows written.

    On PostgreSQL the table is locked against writes first (reads go on): a submit that has added to it is waited
    for, so its answers are counted here, and one that comes later waits and adds to the rebuilt rows. SQLite's
    one writer at a time gives the same."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE result_sum IN SHARE ROW EXCLUSIVE MODE"))
    if round_ids is None:
        round_ids = list(connection.scalars(select(Round.id)))
    table = ResultSum.__table__
    connection.execute(delete(table).where(table.c.round_id.in_(round_ids)))
    rows = []
    for round_id, breakdowns in _breakdowns(connection, round_ids).items():
        for dimension in KEPT_DIMENSIONS:
            rows += _area_rows(connection, round_id, dimension, breakdowns)
            rows += _question_rows(connection, round_id, dimension)
    for start in range(0, len(rows), INSERT_BATCH):
        connection.execute(insert(table), rows[start : start + INSERT_BATCH])
    return len(rows)


def _breakdowns(connection: Connection, round_ids: list[int]) -> dict[int, list[str]]:
    query = (
        select(Round.id, Question.key, Question.dimension, Question.kind, Question.routing)
        .join(Question, Question.questionnaire_id == Round.questionnaire_id)
        .where(Round.id.in_(round_ids))
    )
    found: dict[int, list] = {round_id: [] for round_id in round_ids}
    for row in connection.execute(query):
        found[row.id].append(row)
    return {round_id: breakdown_keys(questions) for round_id, questions in found.items()}


def _values(record) -> dict:
    sums = {name: float(getattr(record, name)) for name in SUM_COLUMNS}
    # the GROUP BY gives NULL (NaN here) where nobody in the group scored; the increments give 0
    return {"n": int(record.n), "dont_know": int(record.dont_know or 0)} | {
        name: 0.0 if math.isnan(value) else value for name, value in sums.items()
    }


def _area_rows(connection: Connection, round_id: int, dimension: str, breakdowns: list[str]) -> list[dict]:
    frame = cell_sums_from_answers(dimension, [round_id], breakdowns, run=connection)
    return [
        {
            "round_id": round_id,
            "focus_area_id": int(record.focus_area_id),
            "dimension": dimension,
            "question": AREA,
            "backgrounds": groups_text({key: getattr(record, f"bg{n}") for n, key in enumerate(breakdowns)}),
        }
        | _values(record)
        for record in frame.itertuples(index=False)
    ]


def _question_rows(connection: Connection, round_id: int, dimension: str) -> list[dict]:
    frame = question_sums_from_answers(dimension, [round_id], run=connection)
    return [
        {
            "round_id": round_id,
            "focus_area_id": int(record.focus_area_id),
            "dimension": dimension,
            "question": record.grp,
            "backgrounds": "",
        }
        | _values(record)
        for record in frame.itertuples(index=False)
    ]
