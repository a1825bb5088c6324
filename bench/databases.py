"""The benchmark's databases: one per engine and size under /tmp/bench-data, built once and reused.

A PostgreSQL database is a whole throw-away cluster of its own (initdb), started on port 54339 only while it is
used, so that the test suite's server on 54329 is never touched and nothing is left running."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bench import DATA_ROOT
from tests.servers import Postgres

PG_PORT = 54339
PG_DATABASE = "borgerdialog"
POLICY = "syddjurs"
SEED = 20261122
STAFF_EMAIL = "bench-analytiker@borgerdialog.test"
STAFF_PASSWORD = "bench-kodeord-ikke-hemmeligt"
MARKER = "built.json"


def case_dir(engine: str, size: int) -> Path:
    return Path(DATA_ROOT) / f"{engine}-{size}"


def read_marker(engine: str, size: int) -> dict | None:
    """What a finished build wrote; None when the database is missing or its build was interrupted."""
    path = case_dir(engine, size) / MARKER
    return json.loads(path.read_text()) if path.exists() else None


@contextmanager
def postgres_server(directory: Path) -> Iterator[str]:
    """Start (after initdb, when new) the cluster in `directory` on 127.0.0.1:54339; stop it on the way out."""
    # fsync=off: a benchmark database can be rebuilt, and only reads are timed
    with Postgres(directory, PG_PORT, ("fsync=off",), database=PG_DATABASE) as server:
        server.create_database()
        yield server.url


@contextmanager
def database(engine: str, size: int) -> Iterator[str]:
    """The SQLAlchemy URL of the benchmark database (its server running meanwhile, for PostgreSQL)."""
    directory = case_dir(engine, size)
    if engine == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{directory / 'borgerdialog.sqlite3'}"
    elif engine == "postgresql":
        with postgres_server(directory) as url:
            yield url
    else:
        raise ValueError(f"unknown database {engine!r}")


def discard(engine: str, size: int) -> None:
    """Remove a database directory (a half-built one, or one the run was not asked to keep)."""
    shutil.rmtree(case_dir(engine, size), ignore_errors=True)


def make_app(url: str):
    """The app on the benchmark database: CSRF and rate limits off, so the test client can log in and repeat."""
    from survey import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "TESTING": True}
    )


def _policy_rounds():
    """The demo's open round of the policy plus one closed half-year before it, so changes get computed."""
    from sqlalchemy import select

    from survey.extensions import db
    from survey.questionnaire.models import Round
    from survey.questionnaire.rounds import create_round

    current = db.session.scalar(select(Round).where(Round.slug.like(f"{POLICY}-tilfredshed-%")).order_by(Round.id))
    slug = f"{current.slug}-bench-forrige"
    previous = db.session.scalar(select(Round).where(Round.slug == slug))
    if previous is None:
        opens = current.opens_at - timedelta(days=182)
        previous = create_round(current.questionnaire, "Forrige halvår (bench)", opens, current.opens_at, slug=slug)
    return [previous, current]


def build(engine: str, size: int, url: str) -> dict:
    """Migrate, load the demo, add a staff analyst and `size` synthetic responses split over two rounds."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from survey import ROOT
    from survey.demo import ensure_demo_meetings, load_demo
    from survey.extensions import db
    from survey.models import utcnow
    from survey.questionnaire.models import Answer
    from survey.results.synthetic import generate_responses
    from survey.staff.services import create_staff, find_staff

    app = make_app(url)
    started = time.perf_counter()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo()
        ensure_demo_meetings(utcnow())
        if find_staff(STAFF_EMAIL) is None:
            create_staff(STAFF_EMAIL, "analyst", STAFF_PASSWORD, name="Benchmark")
        rounds = _policy_rounds()
        db.session.commit()
        made = 0
        for i, round_ in enumerate(rounds):
            share = size // len(rounds) + (1 if i < size % len(rounds) else 0)
            made += generate_responses(round_, share, SEED + i)[0]
        answers = db.session.scalar(select(func.count()).select_from(Answer))
        db.session.commit()
        if engine == "postgresql":
            # what autovacuum would do soon after a bulk load; done now so that it does not run mid-measurement
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    marker = {"responses": made, "answers": answers, "build_s": round(time.perf_counter() - started, 1)}
    (case_dir(engine, size) / MARKER).write_text(json.dumps(marker))
    return marker
