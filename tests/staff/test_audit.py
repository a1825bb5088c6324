"""The audit log: append-only in the database, what is written to it (operational commands included), never a
secret, and the admin's page with its filters."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.staff.audit import purge_audit_events
from survey.staff.models import AuditEvent, StaffUser
from tests.factories import DATA
from tests.helpers import STAFF_PASSWORD
from tests.pages import error_summary, text_of


def add_events(app, *events: tuple[str, str, str, datetime]) -> None:
    """(actor e-mail, action, target, at) rows, written as the app writes them."""
    with app.app_context():
        for actor, action, target, at in events:
            db.session.add(AuditEvent(actor_email=actor, action=action, target=target, at=at, detail={}))
        db.session.commit()


def all_events(in_app) -> list[AuditEvent]:
    with in_app():
        return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'nothing_happened'",
        "UPDATE audit_event SET actor_id = NULL",
        "DELETE FROM audit_event",
        "DELETE FROM audit_event WHERE action = 'login'",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(app, in_app, statement):
    add_events(app, ("a@kommune.test", "login", "a@kommune.test", utcnow()))
    with app.app_context(), pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement))
    assert [(e.action, e.actor_email) for e in all_events(in_app)] == [("login", "a@kommune.test")]


def test_postgresql_refuses_truncate_too(app, in_app):
    add_events(app, ("a@kommune.test", "login", "a@kommune.test", utcnow()))
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            assert db.engine.dialect.name == "sqlite"  # SQLite has no TRUNCATE; DELETE is refused above
            return
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_event"))
    assert len(all_events(in_app)) == 1


def test_a_staff_user_with_history_cannot_be_deleted(app, make_staff, login_as, in_app):
    login_as(app.test_client(), "analyst")
    with app.app_context(), pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM staff_user"))
    with in_app():
        [user] = db.session.scalars(select(StaffUser)).all()
        assert user.email == "analyst@kommune.test"
    assert {e.actor_id for e in all_events(in_app)} == {user.id}, "the log still points at the user"


def test_retention_purge_removes_only_old_events_and_says_so(app, in_app):
    now = utcnow()
    add_events(app, ("a@x.dk", "login", "", now - timedelta(days=400)), ("a@x.dk", "export", "", now))
    with app.app_context():
        assert purge_audit_events(now - timedelta(days=365)) == 1
        db.session.commit()
    assert [e.action for e in all_events(in_app)] == ["export", "audit_purged"]
    with app.app_context(), pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event"))  # the guard is back after the purge


def test_nothing_secret_is_written_during_logins(app, make_staff, in_app):
    """Wrong and right passwords, codes and recovery codes appear nowhere in the log."""
    from tests.helpers import totp_code
    from tests.pages import csrf_token

    email = make_staff("admin")
    client = app.test_client()
    typed = ["forkert-men-hemmeligt-kodeord", STAFF_PASSWORD]
    for password in typed:
        page = client.get("/personale/log-ind")
        client.post("/personale/log-ind", data={"csrf_token": csrf_token(page), "email": email, "password": password})
    codes = ["ABCD-EFGH-JKMN-PQRS", "999999" if totp_code(app, email) != "999999" else "888888", totp_code(app, email)]
    for code in codes:
        page = client.get("/personale/totrin")
        client.post("/personale/totrin", data={"csrf_token": csrf_token(page), "code": code})
    events = all_events(in_app)
    assert [e.action for e in events] == [
        "login_failed", "login_password_ok", "second_factor_failed", "second_factor_failed",
        "second_factor_ok", "login",
    ]  # fmt: skip
    written = " ".join(f"{e.actor_email} {e.action} {e.target} {e.detail}" for e in events)
    assert not [secret for secret in typed + codes if secret in written]


def test_questionnaire_and_round_commands_are_audited_as_cli(runner, in_app, tmp_path):
    runner.invoke(args=["policies", "load", str(DATA / "policies/syddjurs.yaml")])
    runner.invoke(args=["questionnaires", "load", str(DATA / "questionnaires/syddjurs-tilfredshed.yaml")])
    runner.invoke(args=["questionnaires", "load", str(DATA / "questionnaires/syddjurs-tilfredshed.yaml")])  # same
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: broken\n")
    assert runner.invoke(args=["questionnaires", "load", str(bad)]).exit_code != 0
    made = runner.invoke(
        args=["rounds", "create", "--questionnaire", "syddjurs-tilfredshed", "--label", "2027 1. halvår",
              "--opens", "2027-01-01", "--closes", "2027-07-01", "--access", "invitation", "--slug", "r27"]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    codes = runner.invoke(args=["invitations", "create", "--round", "r27", "--count", "3", "--out", str(tmp_path)])
    assert codes.exit_code == 0, codes.output
    events = [(e.actor_email, e.action, e.target, e.detail["command"]) for e in all_events(in_app)]
    assert events == [
        ("cli", "policy_changed", "policy:syddjurs", "flask policies load"),
        ("cli", "questionnaire_changed", "questionnaire:syddjurs-tilfredshed:v1", "flask questionnaires load"),
        ("cli", "round_changed", "round:r27", "flask rounds create"),
        ("cli", "invitations_created", "round:r27", "flask invitations create"),
    ], "one event per thing changed; nothing for an unchanged load or a refused file"
    invitations = all_events(in_app)[-1]
    assert invitations.detail["new"] == 3 and invitations.detail["os_user"] is not None


def test_staff_commands_are_audited_as_cli(runner, make_staff, in_app):
    make_staff("admin")  # not the last active admin that the new one is: it may be deactivated
    runner.invoke(
        args=["staff", "create", "--email", "ny@kommune.test", "--role", "analyst", "--password", "lange grønne æbler"]
    )
    runner.invoke(args=["staff", "set-role", "--email", "ny@kommune.test", "--role", "admin"])
    runner.invoke(args=["staff", "deactivate", "--email", "ny@kommune.test"])
    runner.invoke(args=["staff", "reactivate", "--email", "ny@kommune.test"])
    events = [(e.actor_email, e.action, e.target, e.detail) for e in all_events(in_app)]
    assert [event[:3] for event in events] == [
        ("cli", "user_created", "ny@kommune.test"),
        ("cli", "role_changed", "ny@kommune.test"),
        ("cli", "user_deactivated", "ny@kommune.test"),
        ("cli", "user_reactivated", "ny@kommune.test"),
    ]
    assert (events[1][3]["old"], events[1][3]["new"]) == ("analyst", "admin")
    assert "lange grønne æbler" not in str(events)


def test_admins_filter_the_log_by_action_email_and_dates(app, client, login_as, in_app):
    day = datetime(2026, 3, 10, 12, 0)
    add_events(
        app,
        ("a@kommune.test", "export", "policy:syddjurs", day),
        ("b@kommune.test", "export", "meeting:4", day + timedelta(days=1)),
        ("", "login_failed", "a@kommune.test", day + timedelta(days=2)),
        ("a@kommune.test", "meeting_changed", "meeting:4", day + timedelta(days=3)),
    )
    login_as(client, "admin")

    def shown(query: str) -> list[tuple[str, str]]:
        page = client.get(f"/personale/log?{query}")
        assert page.status_code == 200
        rows = [[text_of(td) for td in tr.iter("td")] for tr in page.doc.iter("tr")][1:]
        return [
            (row[2], row[3])
            for row in rows
            if len(row) == 4 and row[2] not in ("login", "login_password_ok", "second_factor_ok")
        ]

    assert [a for a, _ in shown("handling=export")] == ["export", "export"]
    assert shown("email=A@Kommune.test") == [
        ("meeting_changed", "meeting:4"), ("login_failed", "a@kommune.test"), ("export", "policy:syddjurs"),
    ]  # fmt: skip
    assert [t for _, t in shown("fra=2026-03-11&til=2026-03-12")] == ["a@kommune.test", "meeting:4"]
    assert shown("handling=export&email=a@kommune.test&til=2026-03-10") == [("export", "policy:syddjurs")]
    bad = client.get("/personale/log?fra=i+går")
    assert bad.status_code == 400 and error_summary(bad) == [("#fra", "Indtast datoen som dd-mm-åååå, fx 24-09-2026")]
    backwards = client.get("/personale/log?fra=2026-03-12&til=2026-03-11")
    assert error_summary(backwards)[0][0] == "#til"


@pytest.mark.parametrize(
    "query, field",
    [
        ("til=9999-12-31", "#til"),
        ("fra=9999-12-31", "#fra"),
        ("fra=0001-01-01", "#fra"),
        ("fra=1999-12-31&til=2100-01-01", "#fra"),
        ("til=31-12-9999", "#til"),
    ],
)
def test_a_date_outside_the_log_years_is_a_message_at_its_field(client, login_as, query, field):
    login_as(client, "admin")
    page = client.get(f"/personale/log?{query}")
    assert page.status_code == 400
    assert error_summary(page)[0] == (field, "Indtast en dato mellem 01-01-2000 og 31-12-2099")
