"""Staff login in two steps (password, then the second factor), logout, and the audit trail of both."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.staff.models import AuditEvent, StaffUser
from tests.helpers import STAFF_PASSWORD, log_in, totp_code
from tests.pages import csrf_token, error_summary, title


def post_login(client, email, password, next_url=""):
    page = client.get(f"/personale/log-ind{next_url}")
    return client.post(
        f"/personale/log-ind{next_url}", data={"csrf_token": csrf_token(page), "email": email, "password": password}
    )


def actions(in_app) -> list[str]:
    with in_app():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_login_in_two_steps_and_logout(client, make_staff, in_app):
    email = make_staff("meeting_host")
    response = post_login(client, email.upper(), STAFF_PASSWORD)
    assert response.status_code == 302 and response.location == "/personale/totrin"
    assert client.get("/personale/").location == "/personale/totrin", "half logged in: no staff page yet"
    page = client.get("/personale/totrin")
    response = client.post(
        "/personale/totrin", data={"csrf_token": csrf_token(page), "code": totp_code(client.application, email)}
    )
    assert response.status_code == 302 and response.location == "/personale/"
    home = client.get("/personale/")
    assert home.status_code == 200
    logout = client.post("/personale/log-ud", data={"csrf_token": csrf_token(home)})
    assert logout.status_code == 302 and logout.location == "/personale/log-ind"
    assert "Du er logget ud." in client.get("/personale/log-ind").get_data(as_text=True)
    assert client.get("/personale/").status_code == 302, "the session really ended"
    assert actions(in_app) == ["login_password_ok", "second_factor_ok", "login", "logout"]


@pytest.mark.parametrize(
    "email, password", [("admin@kommune.test", "forkert-kodeord-helt"), ("ukendt@x.dk", STAFF_PASSWORD)]
)
def test_wrong_credentials_are_refused_without_saying_which(client, make_staff, in_app, email, password):
    make_staff("admin")
    response = post_login(client, email, password)
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    assert error_summary(response) == [("#password", "E-mail eller adgangskode er forkert")]
    with in_app():
        events = db.session.scalars(select(AuditEvent)).all()
        assert [(e.action, e.target) for e in events] == [("login_failed", email)], "the e-mail as typed"
        assert all(password not in str((e.target, e.detail, e.actor_email)) for e in events), "never the password"


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
    response = log_in(client, make_staff("admin"), next_url=next_url)
    assert response.location == lands_on


def test_each_login_step_starts_a_new_session(client, make_staff):
    """Nothing put in the session before the password, or between the two steps, survives them."""
    email = make_staff("analyst")
    with client.session_transaction() as session:
        session["planted"] = "before login"
    post_login(client, email, STAFF_PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session and "staff_pending" in session
        session["planted"] = "half logged in"
    page = client.get("/personale/totrin")
    client.post(
        "/personale/totrin", data={"csrf_token": csrf_token(page), "code": totp_code(client.application, email)}
    )
    with client.session_transaction() as session:
        assert "planted" not in session and "staff_pending" not in session and "_user_id" in session


def test_password_is_stored_as_argon2id(make_staff, in_app):
    make_staff("analyst")
    with in_app():
        stored = db.session.scalars(select(StaffUser.password_hash)).one()
    assert stored.startswith("$argon2id$") and STAFF_PASSWORD not in stored


def test_an_outdated_hash_is_replaced_at_login(client, make_staff, in_app):
    """A hash made with weaker parameters than today's is re-made with the current ones on a successful login."""
    email = make_staff("analyst")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(STAFF_PASSWORD)
    with in_app():
        db.session.scalars(select(StaffUser)).one().password_hash = weak
        db.session.commit()
    assert post_login(client, email, STAFF_PASSWORD).status_code == 302
    with in_app():
        stored = db.session.scalars(select(StaffUser.password_hash)).one()
    current = PasswordHasher()
    assert stored != weak and stored.startswith("$argon2id$")
    assert not current.check_needs_rehash(stored) and current.verify(stored, STAFF_PASSWORD)
