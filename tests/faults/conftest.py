"""Fixtures for the fault tests: apps on databases of their own, a throw-away PostgreSQL 15 server the test may
stop and restart (tests.servers.Postgres), a small filesystem to fill up, and a citizen's complete answers."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from flask_migrate import upgrade

from survey import create_app
from survey.kernel.config import ROOT, TestConfig
from survey.kernel.extensions import db
from tests.factories import make_round
from tests.pages import CheckedClient
from tests.questionnaire.walker import SYDDJURS_ANSWERS
from tests.servers import Postgres, free_port

SECRET = "test-secret"


def make_app(url: str, migrate: bool = False, **config):
    """An app on the database at `url` (migrated by Alembic when `migrate`), with the suite's checked client."""
    settings = TestConfig.as_dict()
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, **config})
    app.test_client_class = CheckedClient
    if migrate:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def open_round_in(app) -> str:
    """Load the Syddjurs policy and questionnaire into the app's database and open a round; returns its slug."""
    with app.app_context():
        round_ = make_round()
        db.session.commit()
        return round_.slug


def complete_draft_answers(questionnaire) -> dict[str, dict[str, str]]:
    """The walker's complete Syddjurs answers in the shape a draft keeps them."""
    kinds = {q.id: q.question_kind for q in questionnaire.spec.questions()}
    flat = {qid: value for page in SYDDJURS_ANSWERS.values() for qid, value in page.items()}
    return {qid: kinds[qid].to_draft(v) for qid, v in flat.items()}


@pytest.fixture
def throwaway_postgres():
    """A new cluster with an empty database `faults`, which the test may stop, start and restart; stopped and
    removed after the test."""
    # not under pytest's tmp_path: its parents are private to root, and PostgreSQL runs as postgres
    folder = Path(tempfile.mkdtemp(prefix="borgerdialog-faults-pg-"))
    try:
        with Postgres(folder, free_port(), ("fsync=off",), database="faults") as server:
            server.create_database()
            yield server
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def small_disk():
    """Factory: a tmpfs of `size` mounted for the test (we are root); unmounted and removed afterwards."""
    mounts: list[Path] = []

    def mount(size: str) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="borgerdialog-faults-disk-"))
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)], check=True)
        mounts.append(folder)
        return folder

    yield mount
    for folder in mounts:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)  # lazy: a file left open cannot keep it
        folder.rmdir()


@pytest.fixture
def own_app():
    """Factory: `make_app` whose database connections are closed after the test (before a disk is unmounted)."""
    apps = []

    def make(url: str, migrate: bool = False, **config):
        apps.append(make_app(url, migrate, **config))
        return apps[-1]

    yield make
    for app in apps:
        dispose(app)
