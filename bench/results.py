"""`python -m bench.results`: how long the committee's results take on SQLite and PostgreSQL, against DuckDB.

For each database and size: build (or reuse) /tmp/bench-data/<database>-<size>, then time policy_table, the
results page, the XLSX export (when the route exists) and DuckDB computing the same aggregate; print a Markdown
table and write it with the machine's details to bench/results/results-latest.md.

Building and measuring run in child processes, so that each case's peak RSS is its own and not the largest of
the run so far."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from bench import DATA_ROOT
from bench.databases import (
    POLICY,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    build,
    database,
    discard,
    make_app,
    read_marker,
)
from tests.servers import PG_BIN

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
PAGE = f"/personale/resultater/?politik={POLICY}"
XLSX_RULE = "/personale/resultater/eksport.xlsx"
XLSX = f"{XLSX_RULE}?politik={POLICY}"
RESULT_PREFIX = "BENCH-RESULT "
RUNS, WARMUP = 3, 1


def median_time(action, runs: int = RUNS, warmup: int = WARMUP) -> float:
    """Median wall-clock seconds of `runs` calls after `warmup` calls whose time is thrown away."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _time_policy_table(app) -> dict:
    from sqlalchemy import func, select

    from survey.extensions import db
    from survey.policies.models import Policy
    from survey.questionnaire.models import Answer
    from survey.results.report import policy_rounds, policy_table

    def table():
        policy = db.session.scalar(select(Policy).where(Policy.slug == POLICY))
        rows = policy_table(policy, policy_rounds(policy))
        db.session.remove()  # every run starts with an empty session, as a request does
        return rows

    with app.app_context():
        rows = table()
        # the change-between-rounds path must have run, or the benchmark measures less than the page does
        assert any(row.satisfaction_change for row in rows), "no change between rounds was computed"
        answers = db.session.scalar(select(func.count()).select_from(Answer))
        db.session.remove()
        return {"answers": answers, "table_rows": len(rows), "policy_table_s": median_time(table)}


def _time_pages(app) -> dict:
    client = app.test_client()
    login = client.post("/personale/log-ind", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert login.status_code == 302, f"login failed: {login.status_code}"

    def get(path: str):
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        return response

    found = {"page_s": median_time(lambda: get(PAGE))}
    if any(rule.rule == XLSX_RULE for rule in app.url_map.iter_rules()):
        found["xlsx_bytes"] = len(get(XLSX).data)
        found["xlsx_s"] = median_time(lambda: get(XLSX))
    # ru_maxrss is in KiB on Linux: the peak of this child, which has done nothing but the app's work so far
    found["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return found


def _time_duckdb(app) -> dict:
    from bench import reference
    from survey.extensions import db
    from survey.policies.models import Policy
    from survey.results.measures import cell_sums
    from survey.results.report import DIMENSIONS, policy_rounds

    with app.app_context():
        policy = db.session.query(Policy).filter_by(slug=POLICY).one()
        round_ids = [r.id for r in policy_rounds(policy)]
        expected = {dimension: cell_sums(dimension, round_ids) for dimension in DIMENSIONS}
        duck, load_s, copied = reference.load(db.engine)
        db.session.remove()
    cells = sum(reference.check_same(expected[d], reference.aggregate(duck, d, round_ids), d) for d in DIMENSIONS)
    duck_s = median_time(lambda: [reference.aggregate(duck, d, round_ids) for d in DIMENSIONS])
    return {"duckdb_s": duck_s, "duckdb_load_s": load_s, "duckdb_rows": copied, "cells_checked": cells}


def measure(url: str) -> dict:
    """Every timing of one database; runs in a child process."""
    from flask_migrate import upgrade

    app = make_app(url)
    with app.app_context():
        # a database built before a colleague's new migration is brought up to date rather than rebuilt
        upgrade(directory=str(ROOT / "migrations"))
    found = {}
    log("policy_table…")
    found.update(_time_policy_table(app))
    log("results page and XLSX…")
    found.update(_time_pages(app))
    log("DuckDB…")
    found.update(_time_duckdb(app))
    with app.app_context():
        from sqlalchemy import text

        from survey.extensions import db

        postgres = db.engine.dialect.name == "postgresql"
        found["server_version"] = db.session.execute(
            text("SHOW server_version" if postgres else "SELECT sqlite_version()")
        ).scalar()
        db.session.remove()
        db.engine.dispose()
    return found


def _child(step: str, engine: str, size: int, url: str) -> dict:
    command = [sys.executable, "-m", "bench.results", "--child", step, "--url", url]
    command += ["--databases", engine, "--sizes", str(size)]
    finished = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    last = [line for line in finished.stdout.splitlines() if line.startswith(RESULT_PREFIX)][-1]
    return json.loads(last.removeprefix(RESULT_PREFIX))


def run_case(engine: str, size: int, keep: bool, build_only: bool = False) -> dict | None:
    """Build (unless a finished build of this size is there) and measure one database."""
    marker = read_marker(engine, size)
    built_now = marker is None
    if built_now:
        discard(engine, size)  # a build that was interrupted
    with database(engine, size) as url:
        if built_now:
            log(f"building {engine} with {size:,} responses…")
            marker = _child("build", engine, size, url)
            log(f"built in {marker['build_s']} s")
        if build_only:
            return None
        log(f"measuring {engine} with {size:,} responses…")
        found = _child("measure", engine, size, url)
    if built_now and not keep:
        discard(engine, size)
    return {"database": engine, "size": size, **marker, **found}


def _seconds(value) -> str:
    return "not available" if value is None else f"{value:.3f}"


def table(results: list[dict]) -> str:
    head = (
        "| database | responses | answers | policy_table s | page s | xlsx s (size) | duckdb s (load s) "
        "| page/duckdb | peak RSS MB |"
    )
    lines = [head, "|" + "---|" * 9]
    for r in results:
        xlsx = _seconds(r.get("xlsx_s"))
        if "xlsx_bytes" in r:
            xlsx += f" ({r['xlsx_bytes'] / 1024:.0f} KiB)"
        lines.append(
            f"| {r['database']} | {r['responses']:,} | {r['answers']:,} | {r['policy_table_s']:.3f} "
            f"| {r['page_s']:.3f} | {xlsx} | {r['duckdb_s']:.3f} ({r['duckdb_load_s']:.1f}) "
            f"| {r['page_s'] / r['duckdb_s']:.0f}× | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def machine(results: list[dict]) -> str:
    import duckdb

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line))
    pg = next((r["server_version"] for r in results if r["database"] == "postgresql"), None)
    pg = pg or subprocess.run([PG_BIN / "postgres", "--version"], capture_output=True, text=True).stdout.strip()
    return "\n".join(
        [
            f"- date: {datetime.now():%Y-%m-%d %H:%M}",
            f"- CPU: {cpu}, {os.cpu_count()} cores; RAM {kib / 1024**2:.1f} GiB",
            f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, PostgreSQL {pg}, "
            f"DuckDB {duckdb.__version__}",
        ]
    )


NOTES = """\
Each time is the median of 3 runs after 1 warm-up (time.perf_counter, wall clock), in one process with the data
on local disk and in the OS cache. policy_table: the policy with all its rounds, inside an app context, a new
session each run. page and xlsx: GET through Flask's test client as a logged-in analyst (status 200 asserted).
duckdb: the same two-level GROUP BY as survey/results/measures.py for both dimensions, over the same rows copied
into an in-memory DuckDB (copy time in brackets, not included); its n, "Ved ikke" counts and means per cell are
asserted equal to the app's (means to 1e-9). peak RSS: the measuring process after the XLSX step (before DuckDB).
Responses are split evenly over two rounds of the Syddjurs questionnaire. PostgreSQL runs with its default
settings except fsync=off (only reads are timed), after VACUUM ANALYZE; SQLite has no ANALYZE statistics, as in
production."""


def checks(results: list[dict]) -> str:
    """What makes the DuckDB column a fair reference, per case."""
    return "\n".join(
        f"- {r['database']} {r['responses']:,}: DuckDB matched the app on {r['cells_checked']} cells "
        f"(n, Ved ikke, means to 1e-9) over {r['duckdb_rows']:,} answer rows; database built in {r['build_s']} s"
        for r in results
    )


def report(results: list[dict]) -> str:
    return f"# Results benchmark\n\n{table(results)}\n\n{checks(results)}\n\n{machine(results)}\n\n{NOTES}\n"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.results", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="responses per database, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite and/or postgresql")
    parser.add_argument(
        "--keep", action="store_true", help=f"keep databases this run builds under {DATA_ROOT} (found ones are kept)"
    )
    parser.add_argument("--build-only", action="store_true", help="only build the databases (implies --keep)")
    parser.add_argument("--child", choices=("build", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    engines, sizes = args.databases.split(","), [int(s) for s in args.sizes.split(",")]
    if args.child:
        result = build(engines[0], sizes[0], args.url) if args.child == "build" else measure(args.url)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return
    # a SIGTERM unwinds like Ctrl+C, so the finally blocks stop the PostgreSQL servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []
    for engine in engines:
        for size in sizes:
            results.append(run_case(engine, size, args.keep or args.build_only, args.build_only))
    if args.build_only:
        return
    text = report(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "results-latest.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
