"""Staff login, logout and the audit trail of both."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.staff.models import AuditEvent, StaffUser
from tests.conftest import STAFF_PASSWORD
from tests.pages import csrf_token, error_summary, title


def post_login(client, email, password, next_url=""):
    page = client.get(f"/personale/log-ind{next_url}")
    return client.post(
        f"/personale/log-ind{next_url}", data={"csrf_token": csrf_token(page), "email": email, "password": password}
    )


def test_login_and_logout(client, make_staff, in_app):
    email = make_staff("meeting_host")
    response = post_login(client, email.upper(), STAFF_PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/personale/")
    home = client.get("/personale/")
    assert home.status_code == 200
    logout = client.post("/personale/log-ud", data={"csrf_token": csrf_token(home)})
    assert logout.status_code == 302
    assert client.get("/personale/").status_code == 302, "the session really ended"
    with in_app():
        assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == ["login", "logout"]


@pytest.mark.parametrize(
    "email, password", [("admin@kommune.test", "forkert-kodeord-helt"), ("ukendt@x.dk", STAFF_PASSWORD)]
)
def test_wrong_credentials_are_refused_without_saying_which(client, make_staff, in_app, email, password):
    make_staff("admin")
    response = post_login(client, email, password)
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    assert error_summary(response) == [("#password", "E-mail eller adgangskode er forkert")]
    with in_app():
        assert db.session.scalars(select(AuditEvent.action)).all() == ["login_failed"]


def test_deactivated_user_cannot_log_in(client, make_staff, in_app):
    email = make_staff("admin")
    with in_app():
        db.session.scalars(select(StaffUser)).one().active = False
        db.session.commit()
    assert post_login(client, email, STAFF_PASSWORD).status_code == 400


@pytest.mark.parametrize(
    "next_url, lands_on",
    [
        ("?next=/personale/log", "/personale/log"),
        ("?next=//evil.example/x", "/personale/"),
        ("?next=https://evil.example/", "/personale/"),
    ],
)
def test_login_returns_only_to_pages_on_this_site(client, make_staff, next_url, lands_on):
    response = post_login(client, make_staff("admin"), STAFF_PASSWORD, next_url)
    assert response.location == lands_on


def test_password_is_stored_as_argon2id(make_staff, in_app):
    make_staff("analyst")
    with in_app():
        stored = db.session.scalars(select(StaffUser.password_hash)).one()
    assert stored.startswith("$argon2id$") and STAFF_PASSWORD not in stored


def test_cli_creates_staff_and_refuses_short_passwords(runner, in_app):
    ok = runner.invoke(
        args=["staff", "create", "--email", "Ny@Kommune.dk", "--role", "analyst", "--password", "et-langt-kodeord-her"]
    )
    short = runner.invoke(
        args=["staff", "create", "--email", "b@kommune.dk", "--role", "analyst", "--password", "kort"]
    )
    assert ok.exit_code == 0 and "ny@kommune.dk (analyst)" in ok.output
    assert short.exit_code != 0 and "mindst 12 tegn" in short.output
    with in_app():
        assert db.session.scalars(select(StaffUser.email)).all() == ["ny@kommune.dk"]
