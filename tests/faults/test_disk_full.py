"""The disk under the SQLite database fills up while a citizen answers: the citizen gets the page again with the
Danish "prøv igen" message and what they typed (503, never a 500), the database stays whole, and once space is
freed the same post goes through."""

from __future__ import annotations

import errno
import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.questionnaire.models import Draft, Response
from tests.faults.conftest import open_round_in
from tests.faults.pages import (
    PAGE_MESSAGE,
    SUBMIT_MESSAGE,
    TYPED,
    assert_try_again,
    checked_radio,
    submit_form,
    textarea_text,
)
from tests.pages import csrf_token
from tests.questionnaire.walker import SYDDJURS_ANSWERS, Citizen, path_of


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


@contextmanager
def disk_full(database: Path):
    """Fill the filesystem the database is on; free the space again on the way out."""
    # An empty WAL first: the next commit must then grow the -wal file, which needs space the disk no longer has.
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    filler = database.parent / "filler"
    with filler.open("wb", buffering=0) as out:
        for chunk in (1 << 20, 1 << 12, 1):  # big pieces first, then down to the last byte
            try:
                while True:
                    out.write(b"\0" * chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC
    try:
        yield
    finally:
        filler.unlink()


def test_a_full_disk_keeps_the_answers_in_the_form(small_disk, own_app):
    database = small_disk("8m") / "borgerdialog.sqlite3"
    app = own_app(f"sqlite:///{database}", migrate=True)
    client = app.test_client()
    citizen = Citizen(client, open_round_in(app))
    assert citizen.start().status_code == 302
    pages, url = list(SYDDJURS_ANSWERS.values()), citizen.page_url
    egne_ord = list(SYDDJURS_ANSWERS).index("egne-ord")  # the page where TYPED goes
    for answers in pages[:egne_ord]:
        url = path_of(citizen.post_page(url, answers).location)

    page = client.get(url)
    form = {"csrf_token": csrf_token(page), **TYPED}
    with disk_full(database):
        kept = client.post(url, data=form)
        assert integrity(database) == "ok"
    assert_try_again(kept, PAGE_MESSAGE)
    assert textarea_text(kept, "kommentar") == TYPED["kommentar"]
    assert checked_radio(kept, "maa-citere") == "yes"
    assert integrity(database) == "ok"

    again = client.post(url, data=form)
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Draft)).answers["kommentar"] == {"text": TYPED["kommentar"]}

    review_url = path_of(citizen.post_page(path_of(again.location), pages[egne_ord + 1]).location)
    review = client.get(review_url)
    form = submit_form(review)
    with disk_full(database):
        kept = client.post(review_url, data=form)
    assert_try_again(kept, SUBMIT_MESSAGE)
    assert integrity(database) == "ok"

    sent = client.post(review_url, data=form)
    assert sent.status_code == 302 and sent.location.endswith("/kvittering")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


@pytest.mark.parametrize(
    "min_free_mb, reason",
    [
        (1, "disk full"),  # seen from the free space, before anything is written
        (0, "database cannot write"),  # seen by the write itself
    ],
)
def test_the_health_check_fails_when_the_database_cannot_take_a_write(small_disk, own_app, min_free_mb, reason):
    """A load balancer must stop sending citizens to a server whose database reads but refuses every answer."""
    database = small_disk("8m") / "borgerdialog.sqlite3"
    client = own_app(f"sqlite:///{database}", migrate=True, HEALTH_MIN_FREE_MB=min_free_mb).test_client()
    assert client.get("/healthz").json == {"status": "ok"}

    with disk_full(database):
        answer = client.get("/healthz")
        assert (answer.status_code, answer.json) == (503, {"status": "error", "reason": reason})
    assert integrity(database) == "ok"
    assert client.get("/healthz").json == {"status": "ok"}, "well again once there is room"
