"""Guessing limits on the staff login, counted in the audit log: 10 failures for one e-mail from one address
within 15 minutes refuse that address for that e-mail (the same answer whether or not the account exists), while
the account still works from any other address; only 100 failures from any addresses within an hour lock the
account everywhere, for 15 minutes, then 30, 60 … at each further lock. The same for wrong second-factor codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.staff import throttling
from survey.staff.models import AuditEvent
from tests.helpers import STAFF_PASSWORD, log_in, totp_code
from tests.pages import csrf_token, error_summary

ATTACKER, USER = "203.0.113.7", "192.0.2.10"


def locked(minutes: int) -> list[tuple[str, str]]:
    return [("#password", f"For mange forkerte forsøg. Vent {minutes} minutter, og prøv igen.")]


LOCKED = locked(15)


@pytest.fixture
def clock_at(monkeypatch):
    moment = [datetime.now(UTC)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(by: timedelta) -> None:
        moment[0] += by

    return move


def failures(app, email: str, count: int, ago: timedelta = timedelta(0), address: str = "127.0.0.1") -> None:
    """`count` failed logins for `email` from `address` in the audit log, as the login page writes them."""
    with app.app_context():
        db.session.add_all(
            AuditEvent(action="login_failed", target=email, at=clock.utcnow() - ago, detail={"address": address})
            for _ in range(count)
        )
        db.session.commit()


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, email, password=STAFF_PASSWORD):
    page = client.get("/personale/log-ind")
    return client.post(
        "/personale/log-ind", data={"csrf_token": csrf_token(page), "email": email, "password": password}
    )


def events(in_app, action: str) -> list[AuditEvent]:
    with in_app():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


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
    refused = [e.target for e in events(in_app, "login_throttled")]
    assert sorted(refused) == [email] * 3 + ["findes.ikke@kommune.test"] * 2

    clock_at(timedelta(minutes=10))
    assert error_summary(attempt(client, email)) == locked(5), "the message says how long is left"
    clock_at(timedelta(minutes=5, seconds=1))
    assert log_in(app.test_client(), email).status_code == 302, "15 minutes later the right password works"


def test_failures_older_than_15_minutes_do_not_count(app, client, make_staff):
    email = make_staff("admin")
    failures(app, email, 20, ago=timedelta(minutes=16))
    failures(app, email, 9)
    assert attempt(client, email).status_code == 302


def test_an_attacking_address_cannot_lock_the_user_out(app, make_staff, clock_at, in_app):
    """Ten wrong passwords from one address lock that address for the account; the user, from another address,
    logs in fully (password and second factor) all the while, and the audit log names the attacking address."""
    email = make_staff("admin")
    attacker = from_address(app, ATTACKER)
    failures(app, email, 9, address=ATTACKER)
    assert error_summary(attempt(attacker, email, "forkert-kodeord-nummer-ti")) != LOCKED
    assert error_summary(attempt(attacker, email)) == LOCKED, "the attacker's address is refused, even when right"

    user = from_address(app, USER)
    response = log_in(user, email)
    assert response.status_code == 302 and response.location == "/personale/", "the user gets in from elsewhere"
    assert user.get("/personale/").status_code == 200

    [lock] = events(in_app, "login_address_locked")
    assert (lock.target, lock.detail["address"], lock.detail["failures"]) == (email, ATTACKER, 10)
    [refused] = events(in_app, "login_throttled")
    assert (refused.detail["address"], refused.detail["scope"]) == (ATTACKER, "address")
    assert [e.detail["address"] for e in events(in_app, "login_password_ok")] == [USER]
    clock_at(timedelta(minutes=14))
    refused = attempt(attacker, email, "forkert-kodeord-igen-igen")
    assert error_summary(refused) == [("#password", "For mange forkerte forsøg. Vent 1 minut, og prøv igen.")]


def test_failures_spread_over_many_addresses_lock_the_account_only_at_100_for_ever_longer(
    app, make_staff, clock_at, in_app
):
    email = make_staff("admin")
    addresses = [f"198.51.100.{n}" for n in range(1, 13)]
    for n, address in enumerate(addresses):  # 99 failures, none of the addresses at its own limit
        failures(app, email, 9 if n < 11 else 0, ago=timedelta(minutes=50), address=address)
    with app.app_context():
        assert sum(1 for _ in db.session.scalars(select(AuditEvent.id))) == 99
    user = from_address(app, USER)
    assert attempt(user, email).status_code == 302, "99 failures from many addresses: the account still works"

    last = from_address(app, addresses[-1])
    assert error_summary(attempt(last, email, "forkert-kodeord-nummer-hundrede")) != LOCKED
    [lock] = events(in_app, "login_account_locked")
    assert (lock.detail["failures"], lock.detail["level"], lock.detail["address_count"]) == (100, 1, 12)
    assert lock.detail["addresses"][0] == [addresses[0], 9] and [addresses[-1], 1] in lock.detail["addresses"]
    assert error_summary(attempt(from_address(app, USER), email)) == LOCKED, "now locked from everywhere"
    assert events(in_app, "login_throttled")[-1].detail["scope"] == "account"

    clock_at(timedelta(minutes=15, seconds=1))
    assert log_in(from_address(app, USER), email).status_code == 302, "15 minutes later the account works again"

    # the next 100 failures (the first lock's are spent) lock it for twice as long
    for address in addresses[:11]:
        failures(app, email, 9, address=address)
    assert attempt(from_address(app, USER), email, "forkert-kodeord-igen").status_code == 400
    [_first, second] = events(in_app, "login_account_locked")
    assert (second.detail["failures"], second.detail["level"]) == (100, 2)
    clock_at(timedelta(minutes=16))
    assert error_summary(attempt(from_address(app, USER), email)) == locked(14), "30 minutes this time"
    clock_at(timedelta(minutes=14, seconds=1))
    assert attempt(from_address(app, USER), email).status_code == 302


def test_wrong_codes_from_one_address_do_not_lock_the_second_factor_elsewhere(app, make_staff, in_app):
    """Someone who has the password but not the phone locks only their own address out of the second step."""
    email = make_staff("analyst")
    attacker = from_address(app, ATTACKER)
    assert attempt(attacker, email).location == "/personale/totrin"
    right = totp_code(app, email)
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(10):
        page = attacker.get("/personale/totrin")
        attacker.post("/personale/totrin", data={"csrf_token": csrf_token(page), "code": wrong})
    page = attacker.get("/personale/totrin")
    refused = attacker.post("/personale/totrin", data={"csrf_token": csrf_token(page), "code": right})
    assert refused.status_code == 400 and "For mange forkerte forsøg" in error_summary(refused)[0][1]

    assert log_in(from_address(app, USER), email).status_code == 302, "the user's own code works from elsewhere"
    [lock] = events(in_app, "second_factor_address_locked")
    assert (lock.target, lock.detail["address"]) == (email, ATTACKER)


@pytest.mark.parametrize(
    "address, key",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", "unknown"),
        (None, "unknown"),
        ("not an address", "unknown"),
    ],
)
def test_addresses_are_counted_per_ipv4_address_and_ipv6_64(address, key):
    assert throttling.client_key(address) == key


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
