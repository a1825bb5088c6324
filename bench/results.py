"""`python -m bench.results`: the committee's results at 100 k, 1 M and 10 M answers on SQLite and PostgreSQL,
against DuckDB computing the same GROUP BYs over the same answers.

For each database and size: build (or reuse) /tmp/bench-data/<database>-<size>-answers, then in child processes
(so that each peak RSS is its own):
- report: the full results of the policy (survey.results.report.policy_report: every focus area, round,
  breakdown by question and background, suppression), the results page through Flask's test client, and the
  same aggregates computed from the answers by the database's GROUP BY (the path the kept sums are rebuilt by);
- xlsx: the XLSX download, and that process's peak RSS;
- pdf: the committee's report as PDF (the bilag, WeasyPrint), and that process's peak RSS;
- duckdb: the same GROUP BYs in DuckDB over the same rows, its frames asserted equal to the app's kept sums.
Prints a Markdown table and writes it with the machine's details to bench/results/results-latest.md;
`python -m bench.run` includes it."""

from __future__ import annotations

import argparse
import importlib
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
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from bench import DATA_ROOT
from bench.databases import POLICY, build, database, discard, log_in_analyst, make_app, read_marker
from tests.servers import PG_BIN

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
PAGE = f"/personale/resultater/?politik={POLICY}"
XLSX = f"/personale/resultater/eksport.xlsx?politik={POLICY}"
PDF = f"/personale/resultater/bilag.pdf?politik={POLICY}"
RESULT_PREFIX = "BENCH-RESULT "
#: what the app imports when a results page or a download first needs it (a worker serving citizens never does)
LAZY_IMPORTS = {"report": ("pandas", "scipy.stats"), "xlsx": ("pandas", "scipy.stats", "openpyxl")}
LAZY_IMPORTS |= {"pdf": ("pandas", "scipy.stats", "weasyprint"), "duckdb": LAZY_IMPORTS["report"]}
SIZES = (100_000, 1_000_000, 10_000_000)
QUICK_SIZES = (100_000,)
ENGINES = ("sqlite", "postgresql")
#: the sizes 100 k and 1 M (a database holds a little more than its size: 1,000,390 answers for 1 M), not 10 M
UP_TO_1M = 2_000_000
#: up to UP_TO_1M answers each time is the median of 3 runs after 1 warm-up; above, one run after none. The GROUP
#: BY over every answer is timed only up to it: at 10 M it took 157 s on SQLite and 45 s on PostgreSQL
#: (bench/results/history/2026-11-23-0751-5c6199d.md), a third of the whole run, and it grows linearly


def _runs(answers: int) -> tuple[int, int]:
    return (3, 1) if answers <= UP_TO_1M else (1, 0)


def median_time(action, runs: int, warmup: int) -> float:
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


def _policy(app):
    from sqlalchemy import select

    from survey.kernel.extensions import db
    from survey.policies.models import Policy
    from survey.results.report import policy_rounds, report_questions

    with app.app_context():
        policy = db.session.scalar(select(Policy).where(Policy.slug == POLICY))
        rounds = policy_rounds(policy)
        backgrounds = [b.key for b in report_questions(rounds)[1]]
        found = {"round_ids": [r.id for r in rounds], "backgrounds": backgrounds}
        db.session.remove()
    return found


def _count_answers(app) -> int:
    from sqlalchemy import func, select

    from survey.kernel.extensions import db
    from survey.questionnaire.models import Answer

    with app.app_context():
        answers = db.session.scalar(select(func.count()).select_from(Answer))
        db.session.remove()
    return answers


def measure_report(app, answers: int) -> dict:
    """The full results of the policy, the results page, and the same aggregates from the answers."""
    from sqlalchemy import select

    from survey.kernel.extensions import db
    from survey.policies.models import Policy
    from survey.results import measures
    from survey.results.report import DIMENSIONS, policy_report, policy_rounds

    runs, warmup = _runs(answers)
    policy = _policy(app)

    def report_all_rounds():
        with app.app_context():
            chosen = db.session.scalar(select(Policy).where(Policy.slug == POLICY))
            found = policy_report(chosen, policy_rounds(chosen))
            db.session.remove()
            return found

    def from_answers():
        with app.app_context():
            for dimension in DIMENSIONS:
                measures.cell_sums_from_answers(dimension, policy["round_ids"], policy["backgrounds"])
                measures.question_sums_from_answers(dimension, policy["round_ids"])
            db.session.remove()

    shown = report_all_rounds()
    # the change between rounds must have been computed, or less is measured than the page does
    assert any(row.satisfaction_change for row in shown.rows), "no change between rounds was computed"
    client = log_in_analyst(app)

    def page():
        response = client.get(PAGE)
        assert response.status_code == 200, f"{PAGE}: {response.status_code}"

    return {
        "report_s": median_time(report_all_rounds, runs, warmup),
        "page_s": median_time(page, runs, warmup),
        "from_answers_s": median_time(from_answers, runs, warmup) if answers <= UP_TO_1M else None,
    }


def _download(app, answers: int, path: str, name: str) -> dict:
    """A download; this process does nothing else, so its peak RSS is the download's (plus the app's)."""
    runs, warmup = _runs(answers)
    client = log_in_analyst(app)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    found = {}

    def download():
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        found[f"{name}_bytes"] = len(response.data)

    found[f"{name}_s"] = median_time(download, runs, warmup)
    found[f"{name}_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found[f"rss_before_{name}_mb"] = before
    return found


def measure_xlsx(app, answers: int) -> dict:
    """The XLSX download of every view of the results."""
    return _download(app, answers, XLSX, "xlsx")


def measure_pdf(app, answers: int) -> dict:
    """The committee's report as PDF (one page per focus area, WeasyPrint), as the results page links it."""
    return _download(app, answers, PDF, "pdf")


def measure_duckdb(app, answers: int) -> dict:
    from bench import reference
    from survey.kernel.extensions import db
    from survey.questionnaire.models import Question
    from survey.results.measures import cell_sums, question_sums
    from survey.results.report import DIMENSIONS

    runs, warmup = _runs(answers)
    policy = _policy(app)
    round_ids, backgrounds = policy["round_ids"], policy["backgrounds"]
    with app.app_context():
        expected = {
            d: {"areas": cell_sums(d, round_ids, backgrounds), "questions": question_sums(d, round_ids)}
            for d in DIMENSIONS
        }
        ids = [
            [q.id for q in db.session.query(Question).filter_by(key=key, dimension="background")] for key in backgrounds
        ]
        duck, load_s, copied = reference.load(db.engine)
        db.session.remove()
        db.engine.dispose()
    cells = 0
    area_keys = ["round_id", "focus_area_id", *[f"bg{n}" for n in range(len(backgrounds))]]
    for dimension in DIMENSIONS:
        found = reference.aggregate(duck, dimension, round_ids, ids)
        cells += reference.check_same(expected[dimension]["areas"], found["areas"], area_keys, dimension)
        cells += reference.check_same(
            expected[dimension]["questions"], found["questions"], ["round_id", "focus_area_id", "grp"], dimension
        )
    duck_s = median_time(lambda: [reference.aggregate(duck, d, round_ids, ids) for d in DIMENSIONS], runs, warmup)
    return {"duckdb_s": duck_s, "duckdb_load_s": load_s, "duckdb_rows": copied, "cells_checked": cells}


STEPS = {"report": measure_report, "xlsx": measure_xlsx, "pdf": measure_pdf, "duckdb": measure_duckdb}


def measure(step: str, url: str) -> dict:
    """One step on one database, in this (child) process."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from survey.kernel.extensions import db

    app = make_app(url)
    # imported before anything is timed, as in a worker that has served a download before: one run at 10 M times the
    # work, not the imports (about a second in a fresh worker's first download)
    for name in LAZY_IMPORTS[step]:
        importlib.import_module(name)
    with app.app_context():
        # a database built before a colleague's new migration is brought up to date rather than rebuilt
        upgrade(directory=str(ROOT / "migrations"))
        postgres = db.engine.dialect.name == "postgresql"
        version = db.session.execute(text("SHOW server_version" if postgres else "SELECT sqlite_version()")).scalar()
        db.session.remove()
    answers = _count_answers(app)
    return {"answers": answers, "server_version": version, **STEPS[step](app, answers)}


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
            log(f"building {engine} with {size:,} answers…")
            marker = _child("build", engine, size, url)
            log(f"built in {marker['build_s']} s")
        if build_only:
            return None
        found = {}
        for step in STEPS:
            log(f"{engine}, {marker['answers']:,} answers: {step}…")
            found.update(_child(step, engine, size, url))
    if built_now and not keep:
        discard(engine, size)
    return {"database": engine, "size": size, "built_now": built_now, **marker, **found}


def _seconds(value) -> str:
    return "not measured" if value is None else f"{value:.3f}"


def _ratio(value, reference) -> str:
    return "" if value is None else f"{value / reference:.1f}"


def table(results: list[dict]) -> str:
    head = (
        "| database | answers (responses) | full results s | results page s | XLSX s (size) | XLSX peak RSS MB "
        "| PDF s (size) | PDF peak RSS MB | GROUP BY from answers s | DuckDB s (copy s) | page / DuckDB "
        "| GROUP BY / DuckDB |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['answers']:,} ({r['responses']:,}) | {r['report_s']:.3f} | {r['page_s']:.3f} "
            f"| {_seconds(r['xlsx_s'])} ({r['xlsx_bytes'] / 1024:.0f} KiB) | {r['xlsx_peak_rss_mb']:.0f} "
            f"| {_seconds(r['pdf_s'])} ({r['pdf_bytes'] / 1024:.0f} KiB) | {r['pdf_peak_rss_mb']:.0f} "
            f"| {_seconds(r['from_answers_s'])} | {r['duckdb_s']:.3f} ({r['duckdb_load_s']:.1f}) "
            f"| {r['page_s'] / r['duckdb_s']:.2f} | {_ratio(r['from_answers_s'], r['duckdb_s'])} |"
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
Times are wall clock (time.perf_counter): up to 1 M answers the median of 3 runs after 1 warm-up, at 10 M one run,
with the data on local disk and in the OS cache. full results: policy_report for the policy with all its rounds
(every focus area, breakdowns by question and background, change between rounds, suppression), inside an app
context, a new session each run. results page and XLSX: GET through Flask's test client as a logged-in analyst
(status 200 asserted). The app reads the sums kept at submit (survey.results.sums), so its cost follows the number
of cells; GROUP BY from answers is the same aggregate computed by the database from every answer, the path the sums
are rebuilt by, and the fair comparison with DuckDB; it is timed up to 1 M answers (at 10 M it took 157 s on SQLite
and 45 s on PostgreSQL, bench/results/history/2026-11-23-0751-5c6199d.md). DuckDB: the same GROUP BYs (areas by
every background question, and per question, both dimensions) over the same rows copied into an in-memory DuckDB
(copy time in brackets, not included); its n, "Ved ikke" counts and sums per cell are asserted equal to the app's
kept sums (means to 1e-9). PDF: the committee's report (bilag.pdf, WeasyPrint, PDF/UA-1) for the same rounds as the
XLSX. XLSX and PDF peak RSS: a child process of its own that did only the login and the downloads. Responses are
split evenly over two rounds of the Syddjurs questionnaire. PostgreSQL runs with its default settings except
fsync=off (only reads are timed), after VACUUM ANALYZE; SQLite has no ANALYZE statistics, as in production."""


def checks(results: list[dict]) -> str:
    """What makes the DuckDB column a fair reference, per case."""
    return "\n".join(
        f"- {r['database']} {r['answers']:,} answers: DuckDB matched the app's kept sums on {r['cells_checked']} "
        f"cells over {r['duckdb_rows']:,} answer rows; database "
        + (f"built in {r['build_s']} s" if r["built_now"] else f"reused (built in {r['build_s']} s)")
        for r in results
    )


def section(results: list[dict]) -> str:
    return f"{table(results)}\n\n{checks(results)}\n\n{NOTES}\n"


def build_missing(engines: list[str], sizes: list[int]) -> None:
    """Build the databases not built yet, one builder per database engine at a time (the machine has two cores;
    the benchmark's PostgreSQL takes one port, so its sizes are built one after another)."""
    with ThreadPoolExecutor(max_workers=len(engines)) as pool:
        futures = [
            pool.submit(lambda engine=engine: [run_case(engine, size, True, build_only=True) for size in sizes])
            for engine in engines
            if any(read_marker(engine, size) is None for size in sizes)
        ]
        for future in futures:
            future.result()


def build_all(quick: bool) -> None:
    """The suite's first step (bench.run): build the databases not built yet, kept for the next run."""
    build_missing(list(ENGINES), list(QUICK_SIZES if quick else SIZES))


def measure_all(quick: bool) -> list[dict]:
    """The suite's entry (bench.run, after build_all): both databases at each size."""
    return [run_case(engine, size, keep=True) for size in (QUICK_SIZES if quick else SIZES) for engine in ENGINES]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.results", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="answers per database, comma-separated")
    parser.add_argument("--databases", default=",".join(ENGINES), help="sqlite and/or postgresql")
    parser.add_argument(
        "--keep", action="store_true", help=f"keep databases this run builds under {DATA_ROOT} (found ones are kept)"
    )
    parser.add_argument("--build-only", action="store_true", help="only build the databases (implies --keep)")
    parser.add_argument("--child", choices=("build", *STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    engines, sizes = args.databases.split(","), [int(s) for s in args.sizes.split(",")]
    if args.child:
        result = build(engines[0], sizes[0], args.url) if args.child == "build" else measure(args.child, args.url)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return
    # a SIGTERM unwinds like Ctrl+C, so the finally blocks stop the PostgreSQL servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.keep or args.build_only:  # kept databases are built first, the engines side by side
        build_missing(engines, sizes)
    results = []
    for size in sizes:
        for engine in engines:
            results.append(run_case(engine, size, args.keep or args.build_only, args.build_only))
    if args.build_only:
        return
    text = f"# Results benchmark\n\n{section(results)}\n{machine(results)}\n"
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "results-latest.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
