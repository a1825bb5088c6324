"""SQLite's writers take their turn through a queue (an advisory lock on a file beside the database), held from
BEGIN IMMEDIATE to COMMIT or ROLLBACK: the next writer goes as soon as the one before has finished, not after
SQLite's growing sleeps. The queue never makes a writer wait longer than the busy timeout, never blocks one that
only reads, and a process that dies gives up its turn."""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from survey.kernel.database import WritersQueue, configure_sqlite

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path) -> Path:
    path = tmp_path / "queue.sqlite3"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, said TEXT)")
    return path


def engine_for(path: Path, busy_timeout_ms: int | None = None):
    engine = create_engine(f"sqlite:///{path}")
    if busy_timeout_ms is None:
        configure_sqlite(engine)
    else:  # the busy timeout comes from the app's config
        app = Flask(__name__)
        app.config["SQLITE_BUSY_TIMEOUT_MS"] = busy_timeout_ms
        with app.app_context():
            configure_sqlite(engine)
    return engine


def queue_is_free(path: Path) -> bool:
    """Whether another process (here: another descriptor of the queue's file) could take the turn now."""
    descriptor = os.open(f"{path}{WritersQueue.SUFFIX}", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)  # also lets go of the turn just taken
    return True


@contextmanager
def turn_held_elsewhere(path: Path):
    descriptor = os.open(f"{path}{WritersQueue.SUFFIX}", os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(descriptor)


@pytest.mark.parametrize("ending", ["commit", "rollback", "error"])
def test_a_writer_holds_its_turn_from_begin_to_the_end_of_its_transaction(database, ending):
    engine = engine_for(database)
    with engine.connect() as connection:
        assert queue_is_free(database)
        connection.execute(text("INSERT INTO note (said) VALUES ('først')"))
        assert not queue_is_free(database)
        if ending == "commit":
            connection.commit()
        elif ending == "rollback":
            connection.rollback()
        else:
            with pytest.raises(OperationalError):
                connection.execute(text("INSERT INTO no_such_table VALUES (1)"))
            connection.rollback()
        assert queue_is_free(database)
    engine.dispose()


def test_the_next_writer_goes_when_the_one_before_commits(database):
    engine = engine_for(database)
    second_done = threading.Event()
    seen: list[int] = []

    def second_writer():
        with engine.connect() as connection:
            connection.execute(text("INSERT INTO note (said) VALUES ('anden')"))
            seen.append(connection.execute(text("SELECT count(*) FROM note")).scalar())
            connection.commit()
        second_done.set()

    with engine.connect() as first:
        first.execute(text("INSERT INTO note (said) VALUES ('først')"))
        waiting = threading.Thread(target=second_writer)
        waiting.start()
        assert not second_done.wait(0.3), "the second writer waits for its turn"
        first.commit()
    waiting.join(10)
    assert second_done.is_set() and seen == [2]  # it wrote after the first, and saw its row
    engine.dispose()


def test_a_reading_request_does_not_queue(database):
    engine = engine_for(database)
    app = Flask(__name__)
    with turn_held_elsewhere(database), app.test_request_context("/", method="GET"), engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM note")).scalar() == 0
    engine.dispose()


def test_a_turn_that_does_not_come_within_the_busy_timeout_tries_sqlite_once(database):
    engine = engine_for(database, busy_timeout_ms=200)
    # the queue is held but nobody writes: after the busy timeout the writer goes ahead
    with turn_held_elsewhere(database), engine.connect() as connection:
        connection.execute(text("INSERT INTO note (said) VALUES ('alligevel')"))
        connection.commit()
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 200
    # the queue is held and another process writes: refused as SQLite refuses, not left waiting
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with turn_held_elsewhere(database), engine.connect() as connection:
            with pytest.raises(OperationalError, match="database is locked"):
                connection.execute(text("INSERT INTO note (said) VALUES ('nej')"))
            connection.rollback()
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 200
    finally:
        other.execute("ROLLBACK")
        other.close()
    engine.dispose()


def test_a_killed_writer_gives_up_its_turn(database):
    holder = (
        "import sys, time\n"
        "from sqlalchemy import create_engine, text\n"
        "from survey.kernel.database import configure_sqlite\n"
        f"engine = create_engine('sqlite:///{database}')\n"
        "configure_sqlite(engine)\n"
        "connection = engine.connect()\n"
        "connection.execute(text(\"INSERT INTO note (said) VALUES ('dør')\"))\n"
        "print('writing', flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", holder], cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout.readline().strip() == "writing"
            assert not queue_is_free(database)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
    assert queue_is_free(database)
    engine = engine_for(database, busy_timeout_ms=200)
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO note (said) VALUES ('næste')"))
        connection.commit()
        assert connection.execute(text("SELECT said FROM note")).scalars().all() == ["næste"]
    engine.dispose()


def test_closing_the_connections_closes_the_queue_file(database):
    engine = engine_for(database)
    before = set(os.listdir("/proc/self/fd"))
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()
    assert set(os.listdir("/proc/self/fd")) <= before
