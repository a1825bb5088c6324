"""`python -m bench.letters [--quick]`: invitation letters (issue 15: 10,000 letters in under a minute with bounded
memory).

Each size runs in a fresh process on its own SQLite database under BENCH_DATA: migrate, load the Syddjurs
questionnaire, open an invitation round, then time `letters.make_batch` as the staff page calls it (codes made and
their keyed hashes flushed, the PDF and the CSV written) plus the commit. It reports the seconds, the peak RSS of the
process and its RSS before the letters, so that the peak for 1,000 letters is the reference for 10,000: memory is
bounded when the two peaks are close. Prints a Markdown table; `measure` returns the figures for
`python -m bench.run`."""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import DATA_ROOT

ROOT = Path(__file__).resolve().parent.parent
SIZES, QUICK_SIZES = (1_000, 10_000), (200, 1_000)


def _rss_mb() -> float:
    """This process's resident memory now (Linux: /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one(count: int) -> dict:
    """Make `count` letters in this process (call in a fresh one); the figures."""
    from datetime import timedelta

    from flask_migrate import upgrade

    from bench.databases import make_app
    from survey.kernel.clock import utcnow
    from survey.kernel.extensions import db
    from survey.policies.services import load_policy
    from survey.questionnaire import letters
    from survey.questionnaire.loading import load_questionnaire
    from survey.questionnaire.rounds import create_round

    Path(DATA_ROOT).mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="letters-", dir=DATA_ROOT))
    try:
        app = make_app(f"sqlite:///{directory / 'borgerdialog.sqlite3'}")
        app.config["LETTERS_DIR"] = str(directory / "letters")
        with app.app_context(), app.test_request_context():
            upgrade(directory=str(ROOT / "migrations"))
            load_policy(ROOT / "data/policies/syddjurs.yaml")
            questionnaire, _ = load_questionnaire(ROOT / "data/questionnaires/syddjurs-tilfredshed.yaml")
            now = utcnow()
            round_ = create_round(
                questionnaire, "Breve (bench)", now, now + timedelta(days=30), "invitation", allow_overlap=True
            )
            db.session.commit()
            before = _rss_mb()
            started = time.perf_counter()
            batch = letters.make_batch(round_, count)
            db.session.commit()
            seconds = time.perf_counter() - started
            pdf_mb, csv_kb = batch.pdf.stat().st_size / 2**20, batch.csv.stat().st_size / 1024
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"count": count, "seconds": seconds, "peak_rss_mb": peak, "rss_before_mb": before, "pdf_mb": pdf_mb,
            "csv_kb": csv_kb}  # fmt: skip


def measure(quick: bool = False) -> list[dict]:
    """Each size in a fresh process (so that each peak RSS is its own)."""
    found = []
    for count in QUICK_SIZES if quick else SIZES:
        command = [sys.executable, "-m", "bench.letters", "--one", str(count)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        found.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return found


def rows(table, found: list[dict]) -> None:
    reference = found[0]
    for figures in found[1:]:
        table.add(
            "5",
            f"{figures['count']:,} invitation letters (codes, PDF, CSV), SQLite",
            f"{figures['seconds']:.1f} s, peak RSS {figures['peak_rss_mb']:.0f} MiB",
            f"{reference['count']:,} letters: {reference['seconds']:.1f} s, {reference['peak_rss_mb']:.0f} MiB",
            f"{figures['peak_rss_mb'] / reference['peak_rss_mb']:.2f}",
            "ratio of the peak RSS; issue 15 asks for under 60 s",
        )


def section(found: list[dict]) -> str:
    lines = [
        "| letters | seconds | letters/s | RSS before | peak RSS | PDF | CSV |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in found:
        lines.append(
            f"| {f['count']:,} | {f['seconds']:.1f} | {f['count'] / f['seconds']:.0f} | {f['rss_before_mb']:.0f} MiB "
            f"| {f['peak_rss_mb']:.0f} MiB | {f['pdf_mb']:.1f} MiB | {f['csv_kb']:.0f} KB |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.letters", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZES} letters instead of {SIZES}")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one)))
        return
    print(section(measure(args.quick)))


if __name__ == "__main__":
    main()
