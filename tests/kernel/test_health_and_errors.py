"""The health check, the SQLite durability settings and the Danish error pages."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text

from survey import create_app
from survey.kernel.database import check_sqlite
from survey.kernel.extensions import db
from tests.pages import title


def sqlite_app(tmp_path, **config):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "t", **config})


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none", "SECRET_KEY": "t"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "reason": "database unavailable"}
    with app.app_context():
        db.engine.dispose()


def test_sqlite_runs_with_the_durable_settings(tmp_path):
    app = sqlite_app(tmp_path)
    with app.app_context(), db.engine.connect() as connection:
        pragma = {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "secure_delete")
        }
        db.engine.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10000,
        "secure_delete": 1,
    }


def test_the_app_refuses_sqlite_without_them(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite3'}")
    with pytest.raises(RuntimeError, match="durability"):
        check_sqlite(engine)
    engine.dispose()


@pytest.mark.parametrize("method, locks", [("POST", True), ("GET", False)])
def test_writing_requests_take_the_write_lock_at_begin(tmp_path, method, locks):
    app = sqlite_app(tmp_path)
    with app.test_request_context("/", method=method):
        db.session.execute(text("SELECT 1"))  # the transaction begins here
        other = sqlite3.connect(tmp_path / "x.sqlite3", timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            got_lock = True
        except sqlite3.OperationalError:
            got_lock = False
        finally:
            other.close()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    assert got_lock is not locks


def test_unknown_page_is_a_danish_404(client):
    response = client.get("/findes/ikke")
    assert response.status_code == 404 and title(response).startswith("Siden findes ikke")


def test_a_crash_is_a_danish_500_page(tmp_path):
    app = sqlite_app(tmp_path)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Der er sket en fejl hos os" in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "limit, path, first, page",
    [
        ("RATELIMIT_CODE_ENTRY", "/s/findes-ikke/fortsaet", 404, "For mange forsøg"),
        ("RATELIMIT_SURVEY_POST", "/s/findes-ikke/svar/x/tjek", 404, "For mange forsøg"),
        ("RATELIMIT_SIGNUP", "/moeder/999/tilmeld", 404, "For mange forsøg"),
        # the login form again, with the e-mail kept (tests/staff/test_login_limit_page.py)
        ("RATELIMIT_LOGIN", "/personale/log-ind", 400, "Log ind for medarbejdere"),
    ],
)
def test_too_many_posts_get_a_danish_429_page(tmp_path, app, limit, path, first, page):
    limited = sqlite_app(tmp_path, **{limit: "2 per minute"}, WTF_CSRF_ENABLED=False)
    with limited.app_context():
        db.create_all()
    client = limited.test_client()
    statuses = [client.post(path, data={}).status_code for _ in range(3)]
    assert statuses == [first, first, 429]
    refused = client.post(path, data={})
    assert title_of(refused).startswith(f"Fejl: {page}")
    assert "Vent 1 minut" in refused.get_data(as_text=True)
    assert app.test_client().post(path, data={}).status_code != 429, "no leak between apps"
    with limited.app_context():
        db.engine.dispose()


def title_of(response) -> str:
    from tests.pages import check_page, text_of

    return text_of(check_page(response.get_data(as_text=True)).find("head/title"))
