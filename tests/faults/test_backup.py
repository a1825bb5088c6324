"""`flask backup`: a consistent copy of the SQLite database taken while the app writes, which opens as the app's
database with every row it held; on PostgreSQL a Danish pointer to pg_dump instead."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing

from sqlalchemy import func, select

from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.questionnaire.models import Answer, Draft, Response, Round
from survey.questionnaire.services import build_answers, response_for_submission, start_draft, submit_response
from tests.faults.conftest import complete_draft_answers, open_round_in
from tests.servers import START_TIMEOUT

#: responses stored before the backup starts (few enough to be still in the -wal file, not yet checkpointed)
BEFORE = 20


def keep_submitting(app, slug: str, stored: list[str], started: threading.Event, stop: threading.Event) -> None:
    """Store one response after another, as citizens sending their answers, until told to stop."""
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == slug))
        answers = complete_draft_answers(round_.questionnaire)
        while not stop.is_set():
            draft, _code = start_draft(round_)
            draft.answers = answers
            submission_id = draft.submission_id
            submit_response(draft)
            db.session.commit()
            stored.append(submission_id)
            if len(stored) == BEFORE:
                started.set()
        db.session.remove()


def test_backup_while_the_app_writes_opens_as_the_database(own_app, tmp_path):
    live = own_app(f"sqlite:///{tmp_path / 'live.sqlite3'}", migrate=True)
    slug = open_round_in(live)
    stored: list[str] = []
    started, stop = threading.Event(), threading.Event()
    writer = threading.Thread(target=keep_submitting, args=(live, slug, stored, started, stop))
    writer.start()
    try:
        assert started.wait(START_TIMEOUT)
        before = set(stored)
        target = tmp_path / "kopi.sqlite3"
        result = live.test_cli_runner().invoke(args=["backup", str(target)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert f"Sikkerhedskopi gemt: {target}" in result.output
    assert len(stored) > len(before), "the app kept writing while the backup ran"
    assert target.stat().st_mode & 0o077 == 0, "only the owner may read the copy"

    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restored = own_app(f"sqlite:///{target}")  # the copy as the app's database: the durability checks pass too
    with restored.app_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == slug))
        rows = len(build_answers(round_.questionnaire, complete_draft_answers(round_.questionnaire), []))
        in_copy = {sid for sid in stored if response_for_submission(sid) is not None}
        assert db.session.scalar(select(func.count()).select_from(Response)) == len(in_copy)
        sizes = select(Response.id, func.count(Answer.id)).outerjoin(Answer).group_by(Response.id)
        assert set(dict(db.session.execute(sizes).all()).values()) == {rows}, "a response in the copy lacks answers"
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    assert before <= in_copy, "the copy holds everything stored before it"


def test_backup_refuses_to_overwrite(own_app, tmp_path):
    live = own_app(f"sqlite:///{tmp_path / 'live.sqlite3'}", migrate=True)
    target = tmp_path / "kopi.sqlite3"
    target.write_bytes(b"yesterday's copy")
    result = live.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and "findes allerede" in result.output
    assert target.read_bytes() == b"yesterday's copy"


def test_backup_into_a_folder_names_the_copy_by_time(own_app, tmp_path):
    live = own_app(f"sqlite:///{tmp_path / 'live.sqlite3'}", migrate=True)
    folder = tmp_path / "kopier"
    folder.mkdir()
    result = live.test_cli_runner().invoke(args=["backup", str(folder)])
    assert result.exit_code == 0, result.output
    [copy] = folder.iterdir()
    assert copy.name.startswith("borgerdialog-") and copy.suffix == ".sqlite3"


def test_backup_on_postgresql_points_at_pg_dump(tmp_path):
    """The real command line, as cron would run it: no copy, a Danish message naming pg_dump, exit code 1."""
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/borgerdialog",
        "SECRET_KEY": "test-secret",
        "BORGERDIALOG_INSTANCE": str(tmp_path),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "backup", str(tmp_path / "kopi")]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=START_TIMEOUT)
    assert done.returncode == 1
    assert "Databasen er PostgreSQL" in done.stderr and "pg_dump" in done.stderr and "pg_restore" in done.stderr
    assert not (tmp_path / "kopi").exists()
