"""Staff sessions end on the server: logout, password change and deactivation make copied cookies worthless;
idle (15 minutes) and absolute (8 hours) limits send the user to the login page with a Danish message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.staff.models import AuditEvent
from tests.helpers import STAFF_PASSWORD, log_in
from tests.pages import csrf_token, error_summary


@pytest.fixture
def clock_at(monkeypatch):
    """The staff clock, moved by hand: returns a function that moves it on by a timedelta."""
    moment = [datetime.now(UTC)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(by: timedelta) -> None:
        moment[0] += by

    return move


def copy_session(app, source):
    """A second client holding a copy of `source`'s session cookie (as a thief would)."""
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, source.get_cookie(name).value)
    return thief


def actions(in_app, action) -> list[AuditEvent]:
    with in_app():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_a_cookie_copied_before_logout_is_refused_after_it(app, login_as):
    client = login_as(app.test_client(), "admin")
    thief = copy_session(app, client)
    assert thief.get("/personale/").status_code == 200, "the copy works while the session lives"
    home = client.get("/personale/")
    client.post("/personale/log-ud", data={"csrf_token": csrf_token(home)})
    response = thief.get("/personale/")
    assert response.status_code == 302 and "/personale/log-ind" in response.location


def test_deactivation_ends_the_session_at_once(app, login_as, runner, in_app):
    client = login_as(app.test_client(), "analyst")
    assert runner.invoke(args=["staff", "deactivate", "--email", "analyst@kommune.test"]).exit_code == 0
    assert client.get("/personale/").status_code == 302
    [event] = actions(in_app, "user_deactivated")
    assert (event.actor_email, event.target) == ("cli", "analyst@kommune.test")


def test_idle_session_ends_after_15_minutes_with_a_message(app, login_as, clock_at, in_app):
    client = login_as(app.test_client(), "admin")
    clock_at(timedelta(minutes=14))
    assert client.get("/personale/").status_code == 200, "14 minutes idle is fine, and counts as activity"
    clock_at(timedelta(minutes=14))
    assert client.get("/personale/").status_code == 200
    clock_at(timedelta(minutes=15, seconds=1))
    response = client.get("/personale/log")
    assert response.status_code == 302 and response.location == "/personale/log-ind?next=/personale/log"
    page = client.get(response.location).get_data(as_text=True)
    assert "Du er blevet logget ud, fordi du ikke har brugt siden i 15 minutter. Log ind igen." in page
    assert client.get("/personale/").status_code == 302, "the session is gone, not just refused once"
    [event] = actions(in_app, "session_expired")
    assert (event.target, event.detail) == ("admin@kommune.test", {"reason": "idle"})
    again = log_in(client, "admin@kommune.test", next_url="?next=/personale/log")
    assert again.location == "/personale/log", "logging in again returns to the page"


def test_a_session_ends_after_8_hours_however_busy(app, login_as, clock_at, in_app):
    client = login_as(app.test_client(), "admin")
    for _ in range(34):  # 34 × 14 minutes = 7 h 56 min of steady work
        clock_at(timedelta(minutes=14))
        assert client.get("/personale/").status_code == 200
    clock_at(timedelta(minutes=4, seconds=1))
    response = client.get("/personale/")
    assert response.status_code == 302 and response.location.startswith("/personale/log-ind")
    page = client.get(response.location).get_data(as_text=True)
    assert "Du er blevet logget ud, fordi du har været logget ind i 8 timer. Log ind igen." in page
    assert [e.detail["reason"] for e in actions(in_app, "session_expired")] == ["absolute"]


def test_the_limits_come_from_the_configuration(app, login_as, clock_at):
    client = login_as(app.test_client(), "admin")
    app.config["STAFF_IDLE_MINUTES"] = 5
    try:
        clock_at(timedelta(minutes=5, seconds=1))
        assert client.get("/personale/").status_code == 302
    finally:
        app.config["STAFF_IDLE_MINUTES"] = 15


def change_password(client, current, new, repeat=None):
    page = client.get("/personale/adgangskode")
    data = {"csrf_token": csrf_token(page), "current": current, "new": new, "repeat": new if repeat is None else repeat}
    return client.post("/personale/adgangskode", data=data)


def test_changing_the_password_ends_every_other_session(app, make_staff, in_app):
    email = make_staff("meeting_host")
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here, email)
    log_in(elsewhere, email)
    response = change_password(here, STAFF_PASSWORD, "syv grønne cykler på taget")
    assert response.status_code == 302 and response.location == "/personale/"
    assert "Din adgangskode er skiftet" in here.get("/personale/").get_data(as_text=True)
    assert elsewhere.get("/personale/").status_code == 302, "the other session ended"
    assert [e.target for e in actions(in_app, "password_changed")] == [email]
    fresh = app.test_client()
    page = fresh.get("/personale/log-ind")
    old = fresh.post(
        "/personale/log-ind", data={"csrf_token": csrf_token(page), "email": email, "password": STAFF_PASSWORD}
    )
    assert old.status_code == 400, "the old password no longer works"


@pytest.mark.parametrize(
    "current, new, repeat, field, message",
    [
        ("forkert-nuvaerende-kode", "syv grønne cykler på taget", None, "#current", "Adgangskoden er forkert"),
        (STAFF_PASSWORD, "kort kodeord", None, "#new", "Adgangskoden skal være på mindst 15 tegn."),
        (
            STAFF_PASSWORD,
            "syv grønne cykler på taget",
            "syv grønne cykler",
            "#repeat",
            "De to nye adgangskoder er ikke ens",
        ),
        (STAFF_PASSWORD, STAFF_PASSWORD, None, "#new", "Den nye adgangskode skal være en anden end den nuværende."),
    ],
)
def test_a_password_change_needs_the_current_password_and_a_good_new_one(
    app, login_as, in_app, current, new, repeat, field, message
):
    client = login_as(app.test_client(), "analyst")
    response = change_password(client, current, new, repeat)
    assert response.status_code == 400 and (field, message) in error_summary(response)
    assert actions(in_app, "password_changed") == []
    assert len(actions(in_app, "password_change_failed")) == (field == "#current")
