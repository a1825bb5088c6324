"""The second factor: enrolment with QR code and key, codes accepted once within one step of drift, recovery
codes used once, the 5-minute limit on the second step, and the reset command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.staff import totp
from survey.staff.models import AuditEvent, PendingEnrolment, RecoveryCode, StaffUser
from tests.helpers import STAFF_PASSWORD, STAFF_TOTP_SECRET
from tests.pages import csrf_token, error_summary, text_of

SVG = "{http://www.w3.org/2000/svg}"
#: a fixed moment in the middle of a 30-second time step
MOMENT = datetime(2026, 11, 23, 10, 0, 15, tzinfo=UTC)
STEP = int(MOMENT.timestamp()) // 30


@pytest.fixture
def frozen(monkeypatch):
    """Stop the staff clock at MOMENT; returns a function that moves it on by a timedelta."""
    moment = [MOMENT]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(by: timedelta) -> None:
        moment[0] += by

    return move


def password_step(client, email):
    page = client.get("/personale/log-ind")
    return client.post(
        "/personale/log-ind", data={"csrf_token": csrf_token(page), "email": email, "password": STAFF_PASSWORD}
    )


def send_code(client, code, url="/personale/totrin"):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page), "code": code})


def code_at(step: int, secret: str = STAFF_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).at(step * 30)


def log_out(client):
    home = client.get("/personale/")
    assert client.post("/personale/log-ud", data={"csrf_token": csrf_token(home)}).status_code == 302


def events(in_app, action=None) -> list[AuditEvent]:
    with in_app():
        query = select(AuditEvent).order_by(AuditEvent.id)
        return db.session.scalars(query.where(AuditEvent.action == action) if action else query).all()


def test_enrolment_shows_qr_and_key_then_ten_recovery_codes_once(client, make_staff, in_app):
    email = make_staff("admin", second_factor=False)
    assert password_step(client, email).location == "/personale/totrin/opsaet"
    page = client.get("/personale/totrin/opsaet")
    html = page.get_data(as_text=True)
    svg = page.doc.find(f".//{SVG}svg")
    assert svg is not None and svg.get("role") == "img" and svg.find(f"{SVG}title") is not None, "inline, named SVG"
    assert len(svg.findall(f".//{SVG}path")) >= 2, "the modules are drawn as paths"
    assert "style=" not in html and "data:" not in html, "nothing a strict CSP would block"
    secret = shown_key(page)
    assert len(secret) == 32 and shown_key(client.get("/personale/totrin/opsaet")) == secret, "a reload: same key"

    wrong = client.post("/personale/totrin/opsaet", data={"csrf_token": csrf_token(page), "code": "000000"})
    assert wrong.status_code == 400 and error_summary(wrong)[0][0] == "#code"
    done = client.post(
        "/personale/totrin/opsaet", data={"csrf_token": csrf_token(page), "code": pyotp.TOTP(secret).now()}
    )
    assert done.status_code == 200
    shown = [text_of(span) for span in done.doc.iter("span") if span.get("class") == "code"]
    assert len(shown) == 10 and len(set(shown)) == 10
    assert client.get("/personale/").status_code == 200, "enrolment completes the login"
    with in_app():
        user = db.session.scalars(select(StaffUser)).one()
        stored = [c.code_hash for c in user.recovery_codes]
        assert user.totp_secret == secret and user.totp_enabled_at is not None
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in shown for h in stored)
    assert [e.action for e in events(in_app)][-3:] == ["second_factor_failed", "second_factor_enrolled", "login"]


def shown_key(page) -> str:
    return text_of(page.doc.find(".//*[@id='secret']")).replace(" ", "")


def test_enrolment_key_belongs_to_one_half_login(app, make_staff):
    """Someone else who knows the password and starts enrolling sees another key than the user does."""
    email = make_staff("admin", second_factor=False)
    first, second = app.test_client(), app.test_client()
    keys = []
    for client in (first, second):
        password_step(client, email)
        keys.append(shown_key(client.get("/personale/totrin/opsaet")))
    assert keys[0] != keys[1]


def test_a_code_is_accepted_once_and_within_one_step_of_drift(app, make_staff, frozen, in_app):
    email = make_staff("analyst")
    client = app.test_client()
    password_step(client, email)
    assert send_code(client, code_at(STEP - 2)).status_code == 400, "two steps old: refused"
    assert send_code(client, code_at(STEP + 2)).status_code == 400, "two steps ahead: refused"
    assert send_code(client, code_at(STEP - 1)).status_code == 302, "one step of drift is allowed"
    log_out(client)

    password_step(client, email)
    replay = send_code(client, code_at(STEP - 1))
    assert replay.status_code == 400, "the same code again"
    assert "allerede brugt" in error_summary(replay)[0][1]
    assert send_code(client, code_at(STEP)).status_code == 302, "a later step is fine"
    log_out(client)

    password_step(client, email)
    assert send_code(client, code_at(STEP - 1)).status_code == 400, "an earlier step than the last one used"
    with in_app():
        assert db.session.scalar(select(StaffUser.totp_last_step)) == STEP


def test_a_recovery_code_logs_in_once(app, make_staff, in_app):
    email = make_staff("admin")
    with in_app():
        codes = totp.new_recovery_codes(db.session.scalars(select(StaffUser)).one())
        db.session.commit()
    client = app.test_client()
    password_step(client, email)
    response = send_code(client, codes[3].lower())
    assert response.status_code == 302
    assert "Du har brugt en reservekode. Du har 9 tilbage." in client.get("/personale/").get_data(as_text=True)
    log_out(client)
    password_step(client, email)
    assert send_code(client, codes[3]).status_code == 400, "used up"
    assert send_code(client, codes[4]).status_code == 302
    assert [e.detail["left"] for e in events(in_app, "recovery_code_used")] == [9, 8]
    assert [e.detail["method"] for e in events(in_app, "second_factor_ok")] == ["recovery_code", "recovery_code"]


def test_the_second_step_must_come_within_five_minutes(app, make_staff, frozen):
    email = make_staff("analyst")
    client = app.test_client()
    password_step(client, email)
    frozen(timedelta(minutes=5, seconds=1))
    response = client.get("/personale/totrin")
    assert response.location == "/personale/log-ind"
    assert "Det tog for lang tid. Log ind igen." in client.get("/personale/log-ind").get_data(as_text=True)
    assert client.get("/personale/totrin").location == "/personale/log-ind", "the half login is gone"


def test_wrong_codes_lock_the_second_step_for_15_minutes(app, make_staff, frozen, in_app):
    email = make_staff("analyst")
    client = app.test_client()
    password_step(client, email)
    for _ in range(10):
        assert send_code(client, "123456" if code_at(STEP) != "123456" else "654321").status_code == 400
    locked = send_code(client, code_at(STEP))
    assert locked.status_code == 400, "even the right code, once locked"
    assert error_summary(locked) == [("#code", "For mange forkerte forsøg. Vent 15 minutter, og prøv igen.")]
    frozen(timedelta(minutes=4))
    password_step(client, email)
    assert send_code(client, code_at(STEP + 8)).status_code == 400, "still locked after a new password step"
    frozen(timedelta(minutes=11, seconds=1))
    password_step(client, email)
    assert send_code(client, code_at(STEP + 30)).status_code == 302, "15 minutes after the failures"
    assert len(events(in_app, "second_factor_throttled")) == 2


def test_reset_command_removes_the_second_factor_and_ends_sessions(app, login_as, runner, in_app):
    client = login_as(app.test_client(), "meeting_host")
    with in_app():
        totp.new_recovery_codes(db.session.scalars(select(StaffUser)).one())
        db.session.commit()
    result = runner.invoke(args=["staff", "reset-second-factor", "--email", "meeting_host@kommune.test"])
    assert result.exit_code == 0, result.output
    assert client.get("/personale/").status_code == 302, "the session ended"
    assert password_step(client, "meeting_host@kommune.test").location == "/personale/totrin/opsaet"
    with in_app():
        user = db.session.scalars(select(StaffUser)).one()
        assert user.totp_secret is None and db.session.scalars(select(RecoveryCode)).all() == []
    [reset] = events(in_app, "second_factor_reset")
    assert (reset.actor_email, reset.target, reset.detail["command"]) == (
        "cli",
        "meeting_host@kommune.test",
        "flask staff reset-second-factor",
    )


def session_contents(client) -> dict:
    """The session as anyone holding the cookie can read it (signed, not encrypted)."""
    app = client.application
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def pending_rows(in_app) -> list[tuple[int, str]]:
    with in_app():
        return [(p.user_id, p.secret) for p in db.session.scalars(select(PendingEnrolment))]


def test_the_secret_being_enrolled_stays_on_the_server(client, make_staff, in_app):
    email = make_staff("admin", second_factor=False)
    password_step(client, email)
    page = client.get("/personale/totrin/opsaet")
    secret = shown_key(page)
    contents = session_contents(client)
    assert secret not in json.dumps(contents) and "secret" not in contents["staff_pending"], "not in the cookie"
    assert len(contents["staff_pending"]["enrolment"]) >= 40, "only the random key of the pending enrolment"
    with in_app():
        user_id = db.session.scalar(select(StaffUser.id))
    assert pending_rows(in_app) == [(user_id, secret)]

    done = client.post(
        "/personale/totrin/opsaet", data={"csrf_token": csrf_token(page), "code": pyotp.TOTP(secret).now()}
    )
    assert done.status_code == 200 and client.get("/personale/").status_code == 200, "enrolment still works"
    assert pending_rows(in_app) == [], "gone once the enrolment is done"
    with in_app():
        assert db.session.scalar(select(StaffUser.totp_secret)) == secret


def test_a_second_tab_shares_the_enrolment_and_a_second_device_loses_the_race(app, make_staff, in_app):
    email = make_staff("admin", second_factor=False)
    first, other_device = app.test_client(), app.test_client()
    password_step(first, email)
    password_step(other_device, email)
    page = first.get("/personale/totrin/opsaet")
    secret = shown_key(page)
    assert shown_key(first.get("/personale/totrin/opsaet")) == secret, "a second tab of the same login: same key"
    other_page = other_device.get("/personale/totrin/opsaet")
    other_secret = shown_key(other_page)
    assert other_secret != secret and len(pending_rows(in_app)) == 2

    done = first.post("/personale/totrin/opsaet", data={"csrf_token": csrf_token(page), "code": code_now(secret)})
    assert done.status_code == 200
    assert pending_rows(in_app) == [], "the other device's enrolment ended with this one"
    late = other_device.post(
        "/personale/totrin/opsaet", data={"csrf_token": csrf_token(other_page), "code": code_now(other_secret)}
    )
    assert late.status_code == 302 and late.location == "/personale/totrin", "on to the code step instead"
    with in_app():
        assert db.session.scalar(select(StaffUser.totp_secret)) == secret, "the first confirmed key stays"
    assert other_device.get("/personale/").status_code == 302, "not logged in by the other device's key"


def test_a_pending_enrolment_ends_with_its_half_login(app, make_staff, frozen, in_app):
    email = make_staff("admin", second_factor=False)
    client = app.test_client()
    password_step(client, email)
    client.get("/personale/totrin/opsaet")
    assert len(pending_rows(in_app)) == 1
    frozen(timedelta(minutes=5, seconds=1))
    assert client.get("/personale/totrin/opsaet").location == "/personale/log-ind"
    assert pending_rows(in_app) == [], "removed when the half login ran out"

    abandoned = app.test_client()  # a half login that is never seen again
    password_step(abandoned, email)
    abandoned.get("/personale/totrin/opsaet")
    frozen(timedelta(minutes=6))
    password_step(client, email)
    fresh = shown_key(client.get("/personale/totrin/opsaet"))
    assert [secret for _user, secret in pending_rows(in_app)] == [fresh], "the abandoned one is cleared away"


def code_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()
