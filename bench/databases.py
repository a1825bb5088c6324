"""The benchmark's databases: one per engine and size (in answers) under /tmp/bench-data, built once and reused.

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
STAFF_PASSWORD = "bench-kodeord-ikke-hemmeligt"
#: every benchmark analyst's second factor (base32), so the benchmark can compute the code
STAFF_TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
MARKER = "built.json"
#: what a synthetic Syddjurs response holds on average, with the routed questionnaire of issue 17 (15 questions asked
#: on every route; measured: 9,304,839 answers in 771,605 responses). It was 12.96 before routing, which built the
#: "10 M" database with 9.3 M answers
ANSWERS_PER_RESPONSE = 12.06


def case_dir(engine: str, size: int) -> Path:
    return Path(DATA_ROOT) / f"{engine}-{size}-answers"


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


def prepared(url: str, label: str, demo: bool = False, one_question_per_page: bool = True) -> str:
    """Migrate the database at `url` and open a round of the Syddjurs questionnaire by link (opened yesterday,
    closing in 30 days), after the whole demo (policies, questionnaires, meetings) when `demo`; the round's slug.
    It asks one question per page, as the demo rounds do, unless told otherwise."""
    from flask_migrate import upgrade

    from survey.demo import ensure_demo_meetings, load_demo
    from survey.kernel.clock import utcnow
    from survey.kernel.config import ROOT
    from survey.kernel.extensions import db
    from survey.policies.services import load_policy
    from survey.questionnaire.loading import load_questionnaire
    from survey.questionnaire.rounds import create_round

    app = make_app(url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        now = utcnow()
        if demo:
            load_demo()
            ensure_demo_meetings(now)
        load_policy(ROOT / "data/policies/syddjurs.yaml")
        questionnaire, _ = load_questionnaire(ROOT / "data/questionnaires/syddjurs-tilfredshed.yaml")
        round_ = create_round(
            questionnaire,
            label,
            now - timedelta(days=1),
            now + timedelta(days=30),
            allow_overlap=True,
            one_question_per_page=one_question_per_page,
        )
        db.session.commit()
        slug = round_.slug
        db.session.remove()
        db.engine.dispose()
    return slug


def _policy_rounds():
    """The demo's open round of the policy plus one closed half-year before it, so changes get computed."""
    from sqlalchemy import select

    from survey.kernel.extensions import db
    from survey.questionnaire.models import Round
    from survey.questionnaire.rounds import create_round

    current = db.session.scalar(select(Round).where(Round.slug.like(f"{POLICY}-tilfredshed-%")).order_by(Round.id))
    slug = f"{current.slug}-bench-forrige"
    previous = db.session.scalar(select(Round).where(Round.slug == slug))
    if previous is None:
        opens = current.opens_at - timedelta(days=182)
        previous = create_round(
            current.questionnaire, "Forrige halvår (bench)", opens, current.opens_at, slug=slug, allow_overlap=True
        )
    return [previous, current]


@contextmanager
def bulk_load(engine, tables) -> Iterator[None]:
    """Drop the tables' secondary indexes (and on PostgreSQL their keys: primary, unique and foreign, and the foreign
    keys pointing at them) for a bulk load and build them after it: one sort per index and one join per key,
    instead of millions of inserts at random places in B-trees outgrowing the cache (every key is random) and a
    trigger per row. Measured at 1 M answers: PostgreSQL's COPY took 8.5 s per 260,000 answers with the foreign
    keys and 3.5 s without; the build took 18–21 s with the answers' random primary key kept through the load and
    12–18 s without (10–12 s when answer.id was still counted). SQLite's keys are its tables (WITHOUT ROWID)."""
    from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, event
    from sqlalchemy.schema import AddConstraint, DropConstraint

    postgres = engine.dialect.name == "postgresql"
    indexes = [index for table in tables for index in table.indexes]
    keys, unique = [], []
    if postgres:
        every = tables[0].metadata.sorted_tables
        keys = [k for t in every for k in t.foreign_key_constraints if {k.table, k.referred_table} & set(tables)]
        unique = [c for t in tables for c in t.constraints if isinstance(c, PrimaryKeyConstraint | UniqueConstraint)]
    with engine.begin() as connection:
        for constraint in keys + unique:
            connection.execute(DropConstraint(constraint))
        for index in indexes:
            index.drop(connection)
    if not postgres:  # the unique indexes left still take random inserts: 1 GB of page cache instead of 2 MB
        event.listen(engine, "connect", _large_cache)
        engine.dispose()
    try:
        yield
    finally:
        if not postgres:
            event.remove(engine, "connect", _large_cache)
    with engine.begin() as connection:
        if postgres:
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")  # each sort in memory
        for index in indexes:
            index.create(connection)
        for constraint in unique + keys:
            connection.execute(AddConstraint(constraint))


def _large_cache(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA cache_size = -1000000")


def build(engine: str, size: int, url: str) -> dict:
    """Migrate, load the demo and about `size` synthetic answers, in responses split over two rounds."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from survey.demo import ensure_demo_meetings, load_demo
    from survey.kernel.clock import utcnow
    from survey.kernel.config import ROOT
    from survey.kernel.extensions import db
    from survey.questionnaire.models import Answer, Response
    from survey.results.synthetic import generate_responses

    app = make_app(url)
    started = time.perf_counter()
    responses = round(size / ANSWERS_PER_RESPONSE)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo()
        ensure_demo_meetings(utcnow())
        rounds = _policy_rounds()
        db.session.commit()
        made = 0
        with bulk_load(db.engine, [Answer.__table__, Response.__table__]):
            for i, round_ in enumerate(rounds):
                share = responses // len(rounds) + (1 if i < responses % len(rounds) else 0)
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


def log_in_analyst(app):
    """A test client logged in (password and second factor) as a new analyst of its own: a TOTP code is
    accepted once, so every process that logs in gets its own user."""
    import os

    import pyotp

    from survey.kernel.clock import utcnow
    from survey.kernel.extensions import db
    from survey.staff.services import create_staff

    email = f"bench-analytiker-{os.getpid()}-{time.monotonic_ns()}@borgerdialog.test"
    with app.app_context():
        user = create_staff(email, "analyst", STAFF_PASSWORD, name="Benchmark")
        user.totp_secret, user.totp_enabled_at = STAFF_TOTP_SECRET, utcnow()
        db.session.commit()
    client = app.test_client()
    first = client.post("/personale/log-ind", data={"email": email, "password": STAFF_PASSWORD})
    assert first.status_code == 302 and first.location.endswith("/personale/totrin"), "password step failed"
    second = client.post("/personale/totrin", data={"code": pyotp.TOTP(STAFF_TOTP_SECRET).now()})
    assert second.status_code == 302 and "totrin" not in second.location, "second factor failed"
    return client
