"""Failed logins are counted per e-mail in the audit log: after 10 within 15 minutes that e-mail is refused for
15 minutes, with the same answer whether or not the account exists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.staff import clock
from survey.staff.models import AuditEvent
from tests.conftest import STAFF_PASSWORD, log_in
from tests.pages import csrf_token, error_summary

LOCKED = [("#password", "For mange forkerte forsøg. Vent 15 minutter, og prøv igen.")]


@pytest.fixture
def clock_at(monkeypatch):
    moment = [datetime.now(UTC)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(by: timedelta) -> None:
        moment[0] += by

    return move


def failures(app, email: str, count: int, ago: timedelta = timedelta(0)) -> None:
    """`count` failed logins for `email` in the audit log, as the login page writes them (`ago` before now)."""
    with app.app_context():
        db.session.add_all(
            AuditEvent(action="login_failed", target=email, at=clock.utcnow() - ago, detail={}) for _ in range(count)
        )
        db.session.commit()


def attempt(client, email, password=STAFF_PASSWORD):
    page = client.get("/personale/log-ind")
    return client.post(
        "/personale/log-ind", data={"csrf_token": csrf_token(page), "email": email, "password": password}
    )


def test_ten_failures_lock_the_email_whether_or_not_it_exists(app, client, make_staff, clock_at, in_app):
    email = make_staff("admin")
    for address in (email, "findes.ikke@kommune.test"):
        failures(app, address, 9)
        assert error_summary(attempt(client, address, "forkert-kodeord-igen")) != LOCKED, "nine are not enough"
    answers = [attempt(client, address, password) for address in (email, "findes.ikke@kommune.test")
               for password in ("forkert-kodeord-igen", STAFF_PASSWORD)]  # fmt: skip
    assert [(r.status_code, error_summary(r)) for r in answers] == [(400, LOCKED)] * 4, "the same, also when right"
    assert attempt(client, "Admin@Kommune.test ").status_code == 400, "the lock is per e-mail however typed"
    assert attempt(app.test_client(), make_staff("analyst")).status_code == 302, "other accounts are not locked"
    with in_app():
        refused = db.session.scalars(select(AuditEvent.target).where(AuditEvent.action == "login_throttled")).all()
    assert sorted(refused) == [email] * 3 + ["findes.ikke@kommune.test"] * 2

    clock_at(timedelta(minutes=15, seconds=1))
    assert log_in(app.test_client(), email).status_code == 302, "15 minutes later the right password works"


def test_failures_older_than_15_minutes_do_not_count(app, client, make_staff):
    email = make_staff("admin")
    failures(app, email, 20, ago=timedelta(minutes=16))
    failures(app, email, 9)
    assert attempt(client, email).status_code == 302


@pytest.mark.parametrize("path", ["/personale/totrin", "/personale/totrin/opsaet", "/personale/adgangskode"])
def test_the_second_step_and_the_password_change_are_limited_per_address(tmp_path, path):
    from survey import create_app

    limited = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "SECRET_KEY": "t",
            "RATELIMIT_SECOND_FACTOR": "2 per minute",
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = limited.test_client()
    statuses = [client.post(path, data={}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    with limited.app_context():
        db.engine.dispose()


def test_wrong_current_passwords_lock_the_password_change(app, client, login_as, in_app):
    """A stolen session cannot be used to guess the password on the change page either."""
    login_as(client, "analyst")
    with app.app_context():
        db.session.add_all(
            AuditEvent(action="password_change_failed", target="analyst@kommune.test", at=clock.utcnow(), detail={})
            for _ in range(10)
        )
        db.session.commit()
    page = client.get("/personale/adgangskode")
    data = {"current": STAFF_PASSWORD, "new": "syv grønne cykler på taget", "repeat": "syv grønne cykler på taget"}
    response = client.post("/personale/adgangskode", data={"csrf_token": csrf_token(page), **data})
    assert response.status_code == 400
    assert error_summary(response) == [("#current", "For mange forkerte forsøg. Vent 15 minutter, og prøv igen.")]
    with in_app():
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "password_changed")) is None
