"""The reference: DuckDB computing the same GROUP BYs as survey/results/measures.py over the same rows.

DuckDB cannot download its sqlite/postgres scanners here, so the three tables the aggregate reads are copied in
through Python in chunks; that copy is timed apart from the aggregate."""

from __future__ import annotations

import time

import duckdb
import pandas as pd

CHUNK_ROWS = 1_000_000
#: the columns measures.py reads, in the order they are copied
TABLES = {
    "question": ("id", "key", "dimension"),
    "response": ("id", "round_id"),
    "answer": ("response_id", "question_id", "focus_area_id", "choice", "score"),
}
DUCK_TYPES = {
    "question": 'id INTEGER, "key" VARCHAR, dimension VARCHAR',
    "response": "id VARCHAR, round_id INTEGER",
    "answer": "response_id VARCHAR, question_id INTEGER, focus_area_id INTEGER, choice VARCHAR, score INTEGER",
}
# measures.cell_sums_from_answers and measures.question_sums_from_answers, written out in DuckDB's SQL; the CASE
# values are cast to DOUBLE because DuckDB would otherwise average DECIMAL(2,1) literals
SATISFIED = "CASE WHEN a.score >= 4 THEN 1.0::DOUBLE WHEN a.score IS NOT NULL THEN 0.0::DOUBLE END"
SCORED = """
    FROM answer a
    JOIN response r ON r.id = a.response_id
    JOIN question q ON q.id = a.question_id
    {joins}
    WHERE q.dimension = $dimension AND list_contains($round_ids, r.round_id) AND a.focus_area_id IS NOT NULL
"""
AREAS = """
WITH person AS (
    SELECT r.round_id, a.focus_area_id, a.response_id{background},
           avg(a.score) AS mean,
           CASE WHEN count(a.score) = 0 THEN NULL
                WHEN sum(a.score) >= 4 * count(a.score) THEN 1.0::DOUBLE ELSE 0.0::DOUBLE END AS satisfied,
           sum(CASE WHEN a.choice = 'dont_know' THEN 1 ELSE 0 END) AS dont_know
    {scored}
    GROUP BY r.round_id, a.focus_area_id, a.response_id{grouped}
)
SELECT round_id, focus_area_id{groups}, count(mean) AS n, sum(mean) AS mean_sum, sum(mean * mean) AS mean_sq,
       sum(satisfied) AS sat_sum, sum(satisfied * satisfied) AS sat_sq, sum(dont_know) AS dont_know
FROM person
GROUP BY ALL
"""
QUESTIONS = """
SELECT r.round_id, a.focus_area_id, q."key" AS grp, count(a.score) AS n, sum(a.score) AS mean_sum,
       sum(a.score * a.score) AS mean_sq, sum({satisfied}) AS sat_sum, sum({satisfied}) AS sat_sq,
       sum(CASE WHEN a.choice = 'dont_know' THEN 1 ELSE 0 END) AS dont_know
{scored}
GROUP BY ALL
"""


def _cursor(raw_connection):
    """A cursor that does not pull the whole table into memory first (psycopg needs a named cursor for that)."""
    if raw_connection.__class__.__module__.startswith("psycopg"):
        return raw_connection.cursor(name="bench_copy")
    return raw_connection.cursor()


def load(engine) -> tuple[duckdb.DuckDBPyConnection, float, int]:
    """Copy the tables into an in-memory DuckDB; returns it, the seconds taken and the answer rows copied."""
    started = time.perf_counter()
    duck = duckdb.connect()
    raw = engine.raw_connection()
    copied = 0
    try:
        for table, columns in TABLES.items():
            duck.execute(f"CREATE TABLE {table} ({DUCK_TYPES[table]})")
            sql = f"SELECT {', '.join(columns)} FROM {table}"
            cursor = _cursor(raw.driver_connection)
            cursor.execute(sql)
            while rows := cursor.fetchmany(CHUNK_ROWS):
                chunk = pd.DataFrame.from_records(rows, columns=list(columns))
                duck.register("chunk", chunk)
                duck.execute(f"INSERT INTO {table} SELECT * FROM chunk")
                duck.unregister("chunk")
                copied += len(rows) if table == "answer" else 0
            cursor.close()
    finally:
        raw.close()
    return duck, time.perf_counter() - started, copied


def _list(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


def area_sql(background_ids: list[list[int]]) -> str:
    """The per-cell sums split by the answers to background questions (each given as its question ids, one per
    questionnaire version), joined answer to answer by response, as the app does."""
    joins = "\n    ".join(
        f"LEFT JOIN answer g{n} ON g{n}.response_id = a.response_id AND g{n}.question_id IN ({_list(ids)})"
        for n, ids in enumerate(background_ids)
    )
    background = "".join(f", g{n}.choice AS bg{n}" for n in range(len(background_ids)))
    grouped = "".join(f", g{n}.choice" for n in range(len(background_ids)))
    groups = "".join(f", coalesce(bg{n}, '') AS bg{n}" for n in range(len(background_ids)))
    scored = SCORED.format(joins=joins)
    return AREAS.format(background=background, grouped=grouped, groups=groups, satisfied=SATISFIED, scored=scored)


QUESTION_SQL = QUESTIONS.format(satisfied=SATISFIED, scored=SCORED.format(joins=""))


def aggregate(duck, dimension: str, round_ids: list[int], background_ids: list[list[int]]) -> dict[str, pd.DataFrame]:
    """What the results report aggregates for one dimension: the area sums by every background, and the
    question sums."""
    parameters = {"dimension": dimension, "round_ids": round_ids}
    return {
        "areas": duck.execute(area_sql(background_ids), parameters).df(),
        "questions": duck.execute(QUESTION_SQL, parameters).df(),
    }


def check_same(app_frame: pd.DataFrame, duck_frame: pd.DataFrame, keys: list[str], what: str) -> int:
    """Fail unless both give the same cells, the same n and dont_know, and means equal to 1e-9; returns cells."""
    left = app_frame.sort_values(keys).reset_index(drop=True)
    right = duck_frame.sort_values(keys).reset_index(drop=True)
    assert len(left) == len(right), f"{what}: {len(left)} cells in the app, {len(right)} in DuckDB"
    assert left[keys].astype(str).equals(right[keys].astype(str)), f"{what}: different cells"
    assert (left["n"].astype(int) == right["n"].astype(int)).all(), f"{what}: different n"
    assert (left["dont_know"].astype(int) == right["dont_know"].astype(int)).all(), f"{what}: dont_know"
    for total in ("mean_sum", "sat_sum", "mean_sq", "sat_sq"):
        # a group where nobody scored sums to NULL in a GROUP BY and to 0 in the kept sums: both n = 0
        ours = left[total].astype(float).fillna(0) / left["n"].clip(lower=1)
        theirs = right[total].astype(float).fillna(0) / right["n"].clip(lower=1)
        worst = (ours - theirs).abs().max()
        assert worst <= 1e-9, f"{what}: {total}/n differs by {worst}"
    return len(left)
