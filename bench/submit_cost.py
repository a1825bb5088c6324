"""`python -m bench.submit_cost [--quick]`: what keeping the results' sums (survey.results.sums) costs a submit.

On SQLite (a file under /tmp/bench-data, the app's durability settings: WAL, synchronous=FULL) and on a throw-away
PostgreSQL 15 (its own cluster on a free port, fsync on), it times `submit_response` on a complete Syddjurs draft
plus the commit, the way the view does it, with the sums upsert and without it (the upsert swapped for nothing),
alternating in blocks so both see the same machine. Before measuring, a few hundred submits fill the sums table,
so the upsert mostly adds to rows that exist, as it does in a round under way. Prints a Markdown table; `measure`
returns the figures (median and p90 in ms per submit) for `python -m bench.run`."""

from __future__ import annotations

import argparse
import random
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import DATA_ROOT
from bench.databases import make_app
from tests.servers import Postgres, free_port

ROOT = Path(__file__).resolve().parent.parent
WARMUP, QUICK_WARMUP = 300, 100
SUBMITS, QUICK_SUBMITS = 600, 150  # per variant
BLOCK = 25  # submits per variant before switching to the other
LIKERT = ["1", "2", "3", "4", "5", "5", "4", "dont_know"]
AREAS = ["job", "ung", "hverdag", "flere-steder", "faellesskab", "andet"]
AGES = ["under-18", "18-29", "30-49", "50-64", "65-79", "80-plus"]
WHO = ["mig-selv", "paaroerende-for-borger", "paaroerende-egen"]


@contextmanager
def database(engine: str) -> Iterator[str]:
    """A fresh, empty database of the engine; gone afterwards."""
    Path(DATA_ROOT).mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=f"submit-cost-{engine}-", dir=DATA_ROOT))
    try:
        if engine == "sqlite":
            yield f"sqlite:///{directory / 'borgerdialog.sqlite3'}"
        else:
            with Postgres(directory, free_port(), database="borgerdialog") as server:
                server.create_database()
                yield server.url
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def draft_answers(rng: random.Random, keys: list[str]) -> dict:
    """A complete Syddjurs draft: every item answered (some "Ved ikke"), a comment, both backgrounds."""
    answers = {key: {"choice": rng.choice(LIKERT)} for key in keys}
    answers |= {"hjaelp": {"choice": rng.choice(AREAS)}, "alder": {"choice": rng.choice(AGES)}}
    answers |= {"hvem-svarer": {"choice": rng.choice(WHO)}, "maa-citere": {"choice": "yes"}}
    answers["kommentar"] = {"text": "Sagsbehandleren ringede altid tilbage."}
    return answers


def prepare() -> tuple[int, list[str]]:
    """Migrate, load Syddjurs and open a round; returns its id and the keys of its Likert items."""
    from flask_migrate import upgrade

    from survey.kernel.clock import utcnow
    from survey.kernel.extensions import db
    from survey.policies.services import load_policy
    from survey.questionnaire.loading import load_questionnaire
    from survey.questionnaire.rounds import create_round

    upgrade(directory=str(ROOT / "migrations"))
    load_policy(ROOT / "data/policies/syddjurs.yaml")
    questionnaire, _ = load_questionnaire(ROOT / "data/questionnaires/syddjurs-tilfredshed.yaml")
    now = utcnow()
    round_ = create_round(
        questionnaire, "Bench", now, now.replace(year=now.year + 1), slug="bench-submit", allow_overlap=True
    )
    db.session.commit()
    likert = [q.id for q in questionnaire.spec.questions() if q.question_kind.scored]
    return round_.id, likert


def timed_submit(round_id: int, answers: dict) -> float:
    """One draft made (not timed), then submit_response and the commit (timed); seconds."""
    from survey.kernel.extensions import db
    from survey.questionnaire.models import Draft
    from survey.questionnaire.services import submit_response

    draft = Draft(round_id=round_id, token_hash=secrets.token_hex(32), submission_id=secrets.token_hex(16))
    draft.answers = answers
    db.session.add(draft)
    db.session.commit()
    draft = db.session.get(Draft, draft.id)
    started = time.perf_counter()
    submit_response(draft)
    db.session.commit()
    elapsed = time.perf_counter() - started
    db.session.expunge_all()  # as a new request would: nothing cached from the last submit
    return elapsed


@contextmanager
def sums_switched_off() -> Iterator[None]:
    """The submit path as it was before the sums: the app's response-submitted handlers (the upsert) taken away."""
    from flask import current_app

    from survey.questionnaire.services import RESPONSE_SUBMITTED

    kept = current_app.extensions.pop(RESPONSE_SUBMITTED)
    try:
        yield
    finally:
        current_app.extensions[RESPONSE_SUBMITTED] = kept


def measure_engine(engine: str, quick: bool) -> dict:
    with database(engine) as url:
        app = make_app(url)
        with app.app_context():
            from sqlalchemy import func, select

            from survey.kernel.extensions import db
            from survey.results.models import ResultSum

            round_id, likert = prepare()
            rng = random.Random(7)
            for _ in range(QUICK_WARMUP if quick else WARMUP):
                timed_submit(round_id, draft_answers(rng, likert))
            times: dict[str, list[float]] = {"with": [], "without": []}
            total = QUICK_SUBMITS if quick else SUBMITS
            while len(times["without"]) < total:
                for _ in range(BLOCK):
                    times["with"].append(timed_submit(round_id, draft_answers(rng, likert)))
                with sums_switched_off():
                    for _ in range(BLOCK):
                        times["without"].append(timed_submit(round_id, draft_answers(rng, likert)))
            rows = db.session.scalar(select(func.count()).select_from(ResultSum))
            db.session.remove()
            db.engine.dispose()
    with_ms, without_ms = (sorted(1000 * t for t in times[k]) for k in ("with", "without"))
    return {
        "with_sums_ms": statistics.median(with_ms),
        "without_sums_ms": statistics.median(without_ms),
        "with_sums_p90_ms": with_ms[int(0.9 * len(with_ms))],
        "without_sums_p90_ms": without_ms[int(0.9 * len(without_ms))],
        "submits_per_variant": len(with_ms),
        "sum_rows": rows,
    }


def measure(quick: bool) -> dict:
    """The submit path's cost with and without the sums, per database: {"databases": {engine: figures}}."""
    return {"databases": {engine: measure_engine(engine, quick) for engine in ("sqlite", "postgresql")}}


def section(found: dict) -> str:
    lines = [
        "| database | submit + commit with sums (median / p90) | without sums (median / p90) | difference (median) |",
        "|---|---|---|---|",
    ]
    for engine, f in found["databases"].items():
        lines.append(
            f"| {engine} | {f['with_sums_ms']:.2f} / {f['with_sums_p90_ms']:.2f} ms "
            f"| {f['without_sums_ms']:.2f} / {f['without_sums_p90_ms']:.2f} ms "
            f"| {f['with_sums_ms'] - f['without_sums_ms']:+.2f} ms "
            f"({(f['with_sums_ms'] / f['without_sums_ms'] - 1) * 100:+.0f} %) |"
        )
    engine, some = next(iter(found["databases"].items()))
    lines += [
        "",
        f"{some['submits_per_variant']} timed submits per variant and database, alternating in blocks of {BLOCK}, "
        f"after a warm-up that filled the sums table ({some['sum_rows']} rows at the end on {engine}). "
        "A submit is submit_response on a complete Syddjurs draft (13 scored items, a comment, two background "
        "questions) plus the commit (SQLite: WAL, synchronous=FULL; PostgreSQL: fsync on).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer submits")
    print(section(measure(parser.parse_args().quick)))


if __name__ == "__main__":
    main()
