"""The reference: DuckDB computing the same two-level GROUP BY as survey/results/measures.py over the same rows.

DuckDB cannot download its sqlite/postgres scanners here, so the three tables the aggregate reads are copied in
through Python in chunks; that copy is timed apart from the aggregate."""

from __future__ import annotations

import time

import duckdb
import pandas as pd

CHUNK_ROWS = 1_000_000
#: the columns measures.py reads, in the order they are copied
TABLES = {
    "question": ("id", "dimension"),
    "response": ("id", "round_id"),
    "answer": ("response_id", "question_id", "focus_area_id", "choice", "score"),
}
DUCK_TYPES = {
    "question": "id INTEGER, dimension VARCHAR",
    "response": "id VARCHAR, round_id INTEGER",
    "answer": "response_id VARCHAR, question_id INTEGER, focus_area_id INTEGER, choice VARCHAR, score INTEGER",
}
# measures._per_respondent and measures.cell_sums, written out in DuckDB's SQL; the CASE values are cast to
# DOUBLE because DuckDB would otherwise average DECIMAL(2,1) literals
AGGREGATE = """
WITH person AS (
    SELECT r.round_id, a.focus_area_id, a.response_id,
           avg(a.score) AS mean,
           avg(CASE WHEN a.score >= 4 THEN 1.0::DOUBLE WHEN a.score IS NOT NULL THEN 0.0::DOUBLE END) AS satisfied,
           sum(CASE WHEN a.choice = 'dont_know' THEN 1 ELSE 0 END) AS dont_know
    FROM answer a
    JOIN response r ON r.id = a.response_id
    JOIN question q ON q.id = a.question_id
    WHERE q.dimension = $dimension AND list_contains($round_ids, r.round_id) AND a.focus_area_id IS NOT NULL
    GROUP BY r.round_id, a.focus_area_id, a.response_id
)
SELECT round_id, focus_area_id, count(mean) AS n, sum(mean) AS mean_sum, sum(mean * mean) AS mean_sq,
       sum(satisfied) AS sat_sum, sum(satisfied * satisfied) AS sat_sq, sum(dont_know) AS dont_know
FROM person
GROUP BY round_id, focus_area_id
ORDER BY round_id, focus_area_id
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


def aggregate(duck: duckdb.DuckDBPyConnection, dimension: str, round_ids: list[int]) -> pd.DataFrame:
    """The per-cell sums, as measures.cell_sums returns them."""
    return duck.execute(AGGREGATE, {"dimension": dimension, "round_ids": round_ids}).df()


def check_same(app_frame: pd.DataFrame, duck_frame: pd.DataFrame, dimension: str) -> int:
    """Fail unless both give the same cells, the same n and dont_know, and means equal to 1e-9; returns cells."""
    keys = ["round_id", "focus_area_id"]
    left = app_frame.sort_values(keys).reset_index(drop=True)
    right = duck_frame.sort_values(keys).reset_index(drop=True)
    assert left[keys].astype(int).equals(right[keys].astype(int)), f"{dimension}: different cells"
    assert (left["n"].astype(int) == right["n"].astype(int)).all(), f"{dimension}: different n"
    assert (left["dont_know"].astype(int) == right["dont_know"].astype(int)).all(), f"{dimension}: dont_know"
    for total in ("mean_sum", "sat_sum", "mean_sq", "sat_sq"):
        ours, theirs = left[total].astype(float) / left["n"], right[total].astype(float) / right["n"]
        worst = (ours - theirs).abs().max()
        assert worst <= 1e-9, f"{dimension}: {total}/n differs by {worst}"
    return len(left)
