"""`python -m bench.indexes`: the aggregation query's plan, and whether an extra index (or setting) speeds it up.

On a database bench.results has built: time measures.cell_sums_from_answers (both dimensions: the GROUP BY the kept
sums are rebuilt by) and policy_table, show the plan of the aggregate exactly as the app sends it (EXPLAIN QUERY
PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL), then for each trial create its indexes by hand, time and
explain again, and drop them, so the benchmark database is left as the migrations made it."""

from __future__ import annotations

import argparse
import time

from sqlalchemy import event

from bench.databases import PG_DATABASE, POLICY, database, make_app, read_marker
from bench.results import log, median_time

#: name → index definitions (after CREATE INDEX); named bench_* so that one a crashed trial left is easy to spot
TRIALS = {
    "answer(question_id, response_id, focus_area_id, score)": [
        "bench_answer_q_resp ON answer (question_id, response_id, focus_area_id, score)"
    ],
    "answer(question_id, focus_area_id, response_id, score, choice)": [
        "bench_answer_q_area_cover ON answer (question_id, focus_area_id, response_id, score, choice)"
    ],
    "answer(response_id, question_id, focus_area_id, score, choice)": [
        "bench_answer_resp_cover ON answer (response_id, question_id, focus_area_id, score, choice)"
    ],
    "response(round_id, id)": ["bench_response_round_id ON response (round_id, id)"],
    "response(id, round_id)": ["bench_response_id_round ON response (id, round_id)"],
    "response(round_id, id) + answer(response_id, question_id, focus_area_id, score, choice)": [
        "bench_response_round_id ON response (round_id, id)",
        "bench_answer_resp_cover ON answer (response_id, question_id, focus_area_id, score, choice)",
    ],
    "answer(question_id, focus_area_id, response_id, score, choice) + response(id, round_id)": [
        "bench_answer_q_area_cover ON answer (question_id, focus_area_id, response_id, score, choice)",
        "bench_response_id_round ON response (id, round_id)",
    ],
}
POSTGRES_TRIALS = {
    "answer(question_id) INCLUDE (response_id, focus_area_id, score, choice)": [
        "bench_answer_q_include ON answer (question_id) INCLUDE (response_id, focus_area_id, score, choice)"
    ],
}


#: not indexes: PostgreSQL settings the aggregate's plan points at (JIT compiling, sorts spilling to disk);
#: set per database, so that only new connections see them
POSTGRES_SETTINGS = {
    "jit = off": ["jit = off"],
    "work_mem = 64MB": ["work_mem = '64MB'"],
    "jit = off, work_mem = 64MB": ["jit = off", "work_mem = '64MB'"],
}


def setting_statements(settings: list[str]) -> tuple[list[str], list[str]]:
    create = [f"ALTER DATABASE {PG_DATABASE} SET {setting}" for setting in settings]
    return create, [f"ALTER DATABASE {PG_DATABASE} RESET {setting.split()[0]}" for setting in settings]


def aggregate_statements(app) -> list[tuple[str, object]]:
    """The GROUP BY statements cell_sums_from_answers sends, with their parameters, caught on their way to the
    driver."""
    from survey.kernel.extensions import db
    from survey.results.measures import cell_sums_from_answers
    from survey.results.report import DIMENSIONS

    caught = []

    def catch(_conn, _cursor, statement, parameters, _context, _many):
        if "GROUP BY" in statement:
            caught.append((statement, parameters))

    with app.app_context():
        round_ids = _round_ids()
        event.listen(db.engine, "before_cursor_execute", catch)
        try:
            for dimension in DIMENSIONS:
                cell_sums_from_answers(dimension, round_ids)
        finally:
            event.remove(db.engine, "before_cursor_execute", catch)
        db.session.remove()
    return caught


def _round_ids() -> list[int]:
    from survey.kernel.extensions import db
    from survey.policies.models import Policy
    from survey.results.report import policy_rounds

    return [r.id for r in policy_rounds(db.session.query(Policy).filter_by(slug=POLICY).one())]


def timings(app, whole_table: bool = True) -> dict[str, float]:
    """Median seconds of the two aggregates (cell_sums_from_answers, both dimensions) and, if asked, the whole
    policy_table."""
    from survey.kernel.extensions import db
    from survey.policies.models import Policy
    from survey.results.measures import cell_sums_from_answers
    from survey.results.report import DIMENSIONS, policy_rounds, policy_table

    def sums():
        for dimension in DIMENSIONS:
            cell_sums_from_answers(dimension, _round_ids())
        db.session.remove()

    def table():
        policy = db.session.query(Policy).filter_by(slug=POLICY).one()
        policy_table(policy, policy_rounds(policy))
        db.session.remove()

    with app.app_context():
        found = {"cell_sums_from_answers": median_time(sums, 3, 1)}
        if whole_table:
            found["policy_table"] = median_time(table, 3, 1)
        return found


def explain(app, statement: str, parameters) -> str:
    from survey.kernel.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    if postgres:
        return "\n".join(row[0] for row in rows)
    return "\n".join(f"{row[1]:>3} {row[2]:>3}  {row[3]}" for row in rows)


def execute(app, statements: list[str]) -> float:
    from survey.kernel.extensions import db

    started = time.perf_counter()
    with app.app_context(), db.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    with app.app_context():
        db.engine.dispose()  # a database setting reaches only new connections
    return time.perf_counter() - started


def _used_mb(app) -> float:
    """Space the database's data takes (SQLite: pages in use, as a dropped index leaves free pages behind)."""
    from survey.kernel.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            used = connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
        else:
            pages = [connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in ("page_count", "freelist_count")]
            used = (pages[0] - pages[1]) * connection.exec_driver_sql("PRAGMA page_size").scalar()
        connection.rollback()
    return used / 1024**2


def trial(app, name: str, create: list[str], drop: list[str], query) -> None:
    """Create, time, explain, undo."""
    before = _used_mb(app)
    made = execute(app, create)
    found = timings(app, whole_table=False)  # the rest of policy_table reads no answers: an index cannot help it
    print(f"\n### {name}\ncreated in {made:.1f} s, {_used_mb(app) - before:+.0f} MB; {_fmt(found)}")
    print(explain(app, *query))
    execute(app, drop)


def trial_statements(engine: str, definitions: list[str]) -> tuple[list[str], list[str]]:
    """CREATE and DROP statements; PostgreSQL's planner only weighs a new index well with fresh statistics."""
    analyse = ["ANALYZE answer", "ANALYZE response"] if engine == "postgresql" else []
    create = [f"CREATE INDEX {definition}" for definition in definitions] + analyse
    return create, [f"DROP INDEX {definition.split()[0]}" for definition in definitions] + analyse


def _fmt(found: dict[str, float]) -> str:
    return ", ".join(f"{key} {value:.3f} s" for key, value in found.items())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.indexes", description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--only", help="run only trials whose name contains this text")
    parser.add_argument("--no-baseline", action="store_true", help="skip timing the database as migrated")
    args = parser.parse_args(argv)
    if read_marker(args.database, args.size) is None:
        raise SystemExit(f"no {args.database} database with {args.size} answers: run python -m bench.results first")
    trials = TRIALS | (POSTGRES_TRIALS if args.database == "postgresql" else {})
    trials = {name: definitions for name, definitions in trials.items() if not args.only or args.only in name}
    with database(args.database, args.size) as url:
        app = make_app(url)
        query = aggregate_statements(app)[0]
        print(f"## {args.database}, {args.size:,} answers\n\n```sql\n{query[0]}\n```\nparameters: {query[1]}")
        if not args.no_baseline:
            log("baseline…")
            print(f"\n### baseline (migrations' indexes only)\n{_fmt(timings(app))}")
            print(explain(app, *query))
        for name, definitions in trials.items():
            log(name)
            trial(app, name, *trial_statements(args.database, definitions), query)
        settings = POSTGRES_SETTINGS if args.database == "postgresql" else {}
        for name, values in settings.items():
            if not args.only or args.only in name:
                log(name)
                trial(app, name, *setting_statements(values), query)
        if args.database == "sqlite" and (not args.only or args.only in "ANALYZE"):
            # not an index: whether the planner chooses better with statistics (the app never runs ANALYZE)
            log("ANALYZE")
            trial(app, "ANALYZE only (sqlite_stat1)", ["ANALYZE"], ["DROP TABLE sqlite_stat1"], query)
        with app.app_context():
            from survey.kernel.extensions import db

            db.engine.dispose()


if __name__ == "__main__":
    main()
