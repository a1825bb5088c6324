"""`python -m bench.run [--quick]` (`make bench`, `make bench-quick`): every benchmark, one table.

Runs, in this order, each against the reference measured in the same run:
1. page weight (bench.weight): every citizen page on a cold load, against the budget;
2. submitting surveys (bench.load): gunicorn on PostgreSQL and on SQLite under phones walking the survey, against
   the same gunicorn serving a fixed 5 KB page; with the peak RSS of its workers and the whole server's PSS;
3. CPU and SQL statements per citizen request (bench.requests), where the workers' CPU goes under load, grouped
   (bench.profile), and what keeping the results' sums costs a submit (bench.submit_cost);
4. invitation letters (bench.letters): 10,000 letters (quick: 1,000), seconds and peak RSS, against 1,000 (quick: 200);
5. the committee's results (bench.results) at 100 k, 1 M and 10 M answers (quick: 100 k) on SQLite and PostgreSQL,
   against DuckDB computing the same GROUP BYs over the same answers; with the peak RSS of the XLSX download and of
   the committee's report as PDF.

Writes bench/results/latest.md (or latest-quick.md) and a dated copy named by the commit; commit a copy for each
significant change, so the trend can be read from the history. Nothing here passes or fails on a time: a
benchmark measures. Every server it starts listens on 127.0.0.1 only and is stopped by it."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from bench import letters, load, profile, requests, results, submit_cost, weight
from bench.results import log, machine

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
KB = weight.KB
#: issue 18's goals: app CPU per citizen request (median over the load run's mix), p99 latency at 50 phones
CPU_GOAL_MS, LATENCY_GOAL_MS = 5, 150


def _ratio(ours: float, reference: float) -> str:
    return f"{ours / reference:.2f}" if reference else "–"


class Table:
    """The headline table: one row per figure, with its reference from the same run and the ratio."""

    def __init__(self):
        self.rows = [
            "| # | figure | ours | reference (same run) | ratio | note |",
            "|---|---|---|---|---|---|",
        ]

    def add(self, area: str, figure: str, ours: str, reference: str, ratio: str, note: str = "") -> None:
        self.rows.append(f"| {area} | {figure} | {ours} | {reference} | {ratio} | {note} |")

    def __str__(self) -> str:
        return "\n".join(self.rows)


def weight_rows(table: Table, found: dict) -> None:
    pages = found["pages"]
    heaviest_question = next(p for p in pages if p["page"] == found["heaviest_question"])
    html = max(pages, key=lambda p: p["html_gzip"])
    page_budget = weight.BUDGET_PAGE_GZIP
    rows = [
        ("cold load of the heaviest question page", heaviest_question, "gzip", "served", page_budget),
        ("largest HTML document of any citizen page", html, "html_gzip", "html_served", weight.BUDGET_HTML_GZIP),
        ("heaviest citizen page on a cold load", max(pages, key=lambda p: p["gzip"]), "gzip", "served", page_budget),
    ]
    for figure, page, key, served, budget in rows:
        table.add(
            "3",
            f"{figure} ({page['page']}), gzip",
            f"{page[key] / KB:.1f} KB",
            f"budget {budget / KB:.0f} KB",
            _ratio(page[key], budget),
            f"{page[served] / KB:.1f} KB as served",
        )
    css = heaviest_question["by_type"].get("stylesheet", 0)
    table.add(
        "3",
        f"citizen stylesheet on a cold load ({heaviest_question['page']}), gzip as the app sends it",
        f"{css / KB:.1f} KB",
        f"budget {weight.BUDGET_CSS_GZIP / KB:.0f} KB",
        _ratio(css, weight.BUDGET_CSS_GZIP),
        "headers included",
    )
    reference = found["reference"]
    before = next(p for p in reference["pages"] if p["page"] == reference["heaviest_question"])
    table.add(
        "3",
        f"cold load of the heaviest question page, gzip, against the app before issue 18 ({reference['commit']})",
        f"{heaviest_question['gzip'] / KB:.1f} KB",
        f"{before['gzip'] / KB:.1f} KB",
        _ratio(heaviest_question["gzip"], before["gzip"]),
        f"brotli {heaviest_question['brotli'] / KB:.1f} KB" if heaviest_question.get("brotli") else "",
    )
    for name, ours in found["paint"].items():
        theirs = reference["paint"][name]
        table.add(
            "3",
            f"first contentful paint, {name}, slow phone (400 kbit/s, 400 ms, CPU 4×), cold, median",
            f"{ours['fcp']:.0f} ms",
            f"{theirs['fcp']:.0f} ms ({reference['commit']})",
            _ratio(ours["fcp"], theirs["fcp"]),
            f"budget {weight.BUDGET_FIRST_PAINT_MS} ms; load event {ours['load']:.0f} ms ({theirs['load']:.0f} ms)",
        )
        table.add(
            "3",
            f"repeat visit, {name}: requests besides the document that reach the network",
            str(ours["warm_requests"]),
            f"{theirs['warm_requests']} ({reference['commit']})",
            "–",
            f"{ours['warm_bytes'] / KB:.1f} KB over the network ({theirs['warm_bytes'] / KB:.1f} KB); goal 0 requests",
        )


def load_rows(table: Table, runs: list[dict]) -> None:
    for run in runs:
        survey, reference, engine = run["survey"], run["reference"], run["engine"]
        table.add(
            "1",
            f"requests/s, phones walking the survey, gunicorn on {engine}",
            f"{survey['requests_per_s']:.0f}",
            f"{reference['requests_per_s']:.0f} (fixed 5 KB page)",
            _ratio(survey["requests_per_s"], reference["requests_per_s"]),
            f"{survey['completed'] / survey['seconds']:.1f} completed surveys/s; errors "
            f"{survey['failures']} + {reference['failures']}",
        )
        if floor := run.get("floor"):
            table.add(
                "1",
                f"requests/s, the survey's start page alone (read-only, a new phone each time), {engine}",
                f"{floor['requests_per_s']:.0f}",
                f"{reference['requests_per_s']:.0f} (fixed 5 KB page)",
                _ratio(floor["requests_per_s"], reference["requests_per_s"]),
                "the floor: cheaper than every other request of a survey but the receipt; the mix reaches this "
                f"rate only by costing as little; errors {floor['failures']}",
            )
        table.add(
            "1",
            f"latency p50 / p99, {survey['users']} phones, {engine}",
            f"{survey['p50_ms']:.0f} / {survey['p99_ms']:.0f} ms",
            f"{reference['p50_ms']:.0f} / {reference['p99_ms']:.0f} ms",
            _ratio(survey["p50_ms"], reference["p50_ms"]),
            "ratio of the p50s; saturation: latency is mostly queueing",
        )
        peaks = load.worker_peaks(run)
        cpu_rows(table, run)
        table.add(
            "4",
            f"peak RSS of a gunicorn worker during the load run, {engine}",
            f"{max(peaks):.0f} MiB",
            "",
            "",
            f"{len(peaks)} workers: {', '.join(f'{m:.0f}' for m in peaks)} MiB",
        )
        memory = survey["memory"]
        table.add(
            "4",
            f"the whole server's memory after the load run (sum of PSS, master + {len(memory['worker_pss_mib'])} "
            f"workers), {engine}",
            f"{memory['pss_total_mib']:.0f} MiB",
            f"about {load.PHP_PLATFORM_MIB} MiB (the issue's figure: a PHP survey platform, same survey, this machine)",
            _ratio(memory["pss_total_mib"], load.PHP_PLATFORM_MIB),
            f"RSS of each worker: {', '.join(f'{m:.0f}' for m in memory['worker_rss_mib'])} MiB; master "
            f"{memory['master_rss_mib']:.0f} MiB",
        )


def cpu_rows(table: Table, run: dict) -> None:
    """The app's CPU per citizen request as the workers timed it, and the latency of phones that pace like people."""
    survey, engine = run["survey"], run["engine"]
    if mix := survey.get("app_cpu_ms"):
        whole = 1000 * survey["cpu_s"]["app (gunicorn)"] / survey["requests"]
        table.add(
            "1",
            f"app CPU per citizen request, median over the survey's mix, {engine}",
            f"{mix['median_ms']:.2f} ms",
            f"goal {CPU_GOAL_MS:g} ms",
            _ratio(mix["median_ms"], CPU_GOAL_MS),
            f"p90 {mix['p90_ms']:.2f} ms; gunicorn CPU s ÷ requests {whole:.2f} ms; fixed 5 KB page "
            f"{load._kind_cpu(run['reference'], 'GET reference') or 0:.2f} ms",
        )
    if paced := run.get("paced"):
        table.add(
            "1",
            f"latency p99, {paced['users']} phones reading each page ~{paced['think']:g} s (paced), {engine}",
            f"{paced['p99_ms']:.0f} ms",
            f"goal {LATENCY_GOAL_MS} ms",
            _ratio(paced["p99_ms"], LATENCY_GOAL_MS),
            f"p50 {paced['p50_ms']:.0f} ms, {paced['requests_per_s']:.0f} requests/s; saturated p99 above",
        )


def results_rows(table: Table, found: list[dict]) -> None:
    for r in found:
        where = f"{r['database']}, {r['answers']:,} answers"
        table.add(
            "2",
            f"full results of the policy (areas, rounds, breakdowns, suppression), {where}",
            f"{r['report_s']:.3f} s",
            f"DuckDB {r['duckdb_s']:.3f} s",
            _ratio(r["report_s"], r["duckdb_s"]),
            "app reads the sums kept at submit; DuckDB aggregates every answer",
        )
        table.add("2", f"results page, {where}", f"{r['page_s']:.3f} s", "", _ratio(r["page_s"], r["duckdb_s"]))
        table.add("2", f"XLSX download, {where}", f"{r['xlsx_s']:.3f} s", "", _ratio(r["xlsx_s"], r["duckdb_s"]))
        table.add(
            "2",
            f"the committee's report as PDF (bilag.pdf), {where}",
            f"{r['pdf_s']:.3f} s",
            "",
            _ratio(r["pdf_s"], r["duckdb_s"]),
            f"{r['pdf_bytes'] / 1024:.0f} KiB",
        )
        if r["from_answers_s"] is not None:  # timed up to results.UP_TO_1M answers
            table.add(
                "2",
                f"the same aggregates by the database's GROUP BY over every answer (rebuild path), {where}",
                f"{r['from_answers_s']:.3f} s",
                f"DuckDB {r['duckdb_s']:.3f} s",
                _ratio(r["from_answers_s"], r["duckdb_s"]),
            )
        if r["answers"] >= 1_000_000:
            table.add(
                "4",
                f"peak RSS of the process producing the XLSX, {where}",
                f"{r['xlsx_peak_rss_mb']:.0f} MiB",
                "",
                "",
                f"{r['rss_before_xlsx_mb']:.0f} MiB before the download (app loaded, logged in)",
            )
            table.add(
                "4",
                f"peak RSS of the process producing the report's PDF, {where}",
                f"{r['pdf_peak_rss_mb']:.0f} MiB",
                "",
                "",
                f"{r['rss_before_pdf_mb']:.0f} MiB before the download (app loaded, logged in)",
            )


def submit_rows(table: Table, found: dict) -> None:
    for engine, figures in found["databases"].items():
        table.add(
            "2",
            f"submit_response with the sums kept, {engine}",
            f"{figures['with_sums_ms']:.2f} ms",
            f"{figures['without_sums_ms']:.2f} ms without",
            _ratio(figures["with_sums_ms"], figures["without_sums_ms"]),
            "what incremental sums cost the submit path (median)",
        )


def request_rows(table: Table, found: dict) -> None:
    kind, slowest = max(found["requests"].items(), key=lambda item: item[1]["cpu_ms"])
    table.add(
        "1",
        f"app CPU per citizen request, the costliest kind ({kind})",
        f"{slowest['cpu_ms']:.1f} ms, {slowest['statements']:g} SQL statements",
        "",
        "",
        "Flask test client on SQLite (bench.requests)",
    )


def _commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    return (found.stdout.strip() or "unknown") + ("+changes" if dirty.strip() else "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and short windows (about 3 minutes)")
    args = parser.parse_args(argv)
    # a SIGTERM unwinds like Ctrl+C, so the finally blocks stop every server
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # the tree as it is before this run writes its own files into bench/results/
    began, commit, table, details, elapsed = time.perf_counter(), _commit(), Table(), [], {}

    parts = [  # (name, measure, rows of the table, heading of its details, its details)
        ("page weight", weight.measure, weight_rows, "3. Page weight", weight.section),
        ("load", lambda: load.measure(args.quick), load_rows, "1. Submitting surveys", load.section),
        ("requests", lambda: requests.measure(args.quick), request_rows, "1. CPU and SQL per request", requests.table),
        ("profile", lambda: profile.measure(args.quick), lambda _table, _found: None,
         "1. Where a citizen request's CPU goes (py-spy on the workers)", profile.section),
        ("submit cost", lambda: submit_cost.measure(args.quick), submit_rows, "2. What the sums cost a submit",
         submit_cost.section),
        ("letters", lambda: letters.measure(args.quick), letters.rows, "5. Invitation letters", letters.section),
        ("results", lambda: results.measure_all(args.quick), results_rows, "2. The committee's results",
         results.section),
    ]  # fmt: skip
    started = time.perf_counter()
    results.build_all(args.quick)  # first, so that the parts' times are measuring only
    elapsed["building databases"] = time.perf_counter() - started
    for name, action, rows, heading, section in parts:
        started = time.perf_counter()
        found = action()
        elapsed[name] = time.perf_counter() - started
        rows(table, found)
        details.append(f"## {heading}\n\n{section(found)}")
    cases = found  # the results' cases, last: they name the database versions

    versions = [{"database": r["database"], "server_version": r["server_version"]} for r in cases]
    took = time.perf_counter() - began
    spent = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in elapsed.items())
    command = "make bench-quick" if args.quick else "make bench"
    text = (
        f"# Benchmarks{' (quick)' if args.quick else ''}: {datetime.now():%Y-%m-%d %H:%M}, commit {commit}\n\n"
        f"{table}\n\n"
        "Ratio: ours ÷ reference. For throughput below 1 is slower than the reference; for times, sizes and "
        "latency above 1 is slower or heavier. # is the issue's point: 1 submitting, 2 aggregation, 3 page weight, "
        "4 memory, 5 invitation letters (issue 15).\n\n"
        f"{machine(versions)}\n- command: `{command}`; the whole run took {took / 60:.1f} min ({spent})\n\n"
        + "\n\n".join(details)
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    name = "latest-quick.md" if args.quick else "latest.md"
    (RESULTS_DIR / name).write_text(text)
    dated = RESULTS_DIR / "history" / f"{datetime.now():%Y-%m-%d-%H%M}-{commit}{'-quick' if args.quick else ''}.md"
    dated.parent.mkdir(exist_ok=True)
    dated.write_text(text)
    log(f"wrote {RESULTS_DIR / name} and {dated.relative_to(ROOT)}")
    print(text)


if __name__ == "__main__":
    main()
