"""Recording the SQL statements a request sends, for tests of what a request costs the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from survey.kernel.extensions import db

#: marks in the record where the request's transaction committed
COMMIT = "COMMIT"


@contextmanager
def recorded(app) -> Iterator[list[str]]:
    """Every statement sent while the block runs, in order, with COMMIT where a transaction committed."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_execute(_connection, _cursor, statement, *_args):
        sent.append(statement)

    def on_commit(_connection):
        sent.append(COMMIT)

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)


def reads(sent: list[str]) -> list[str]:
    """The SELECT statements among them."""
    return [statement for statement in sent if statement.lstrip().upper().startswith("SELECT")]


def after_commit(sent: list[str]) -> list[str]:
    """What was sent after the first commit (the request's own), e.g. to read again what the commit expired."""
    assert COMMIT in sent, "the request committed nothing"
    return sent[sent.index(COMMIT) + 1 :]
