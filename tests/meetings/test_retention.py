"""Personal data of sign-ups is deleted after the retention period; anonymous counts and topics remain; the purge
is audited, cron-safe and safe to run twice at once; the audit log has its own retention period."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select, text

from survey.kernel.clock import utcnow
from survey.kernel.database import WritersQueue
from survey.kernel.extensions import db
from survey.kernel.sms import SmsMessage
from survey.meetings.models import Meeting, MeetingStats, Registration, Topic
from survey.meetings.services import Signup, delete_registration, register_for_meeting
from survey.retention import purge_expired, purge_expired_registrations
from survey.staff.models import AuditEvent
from tests.helpers import count
from tests.privacy.scan import leaks

#: the phone number of every sign-up these tests write
PHONE = "+4520304050"


def test_purge_deletes_sign_ups_of_old_meetings_and_keeps_anonymous_counts(
    make_meeting, make_registration, in_app, runner
):
    old, recent = make_meeting(starts_in=timedelta(days=-40)), make_meeting(starts_in=timedelta(days=-5))
    make_registration(old, role="borger", phone=PHONE, seats=2, attended=True, topics=["Ventetider"])
    make_registration(old, role="paaroerende", phone=PHONE)
    make_registration(old, role="borger", phone=PHONE, status="waitlisted")  # never had a seat: not counted
    make_registration(recent, role="borger", phone=PHONE)

    first, second = runner.invoke(args=["purge-expired"]), runner.invoke(args=["purge-expired"])
    assert first.exit_code == 0 and "Slettet: 3 tilmeldinger" in first.output
    assert "Slettet: 0 tilmeldinger" in second.output, "cron-safe: nothing more the second time"
    with in_app():
        assert [r.meeting_id for r in db.session.scalars(select(Registration))] == [recent]
        stats = db.session.get(MeetingStats, old)
        assert (stats.registered, stats.attended, stats.by_role) == (3, 2, {"borger": 2, "paaroerende": 1})
        topic = db.session.scalars(select(Topic)).one()
        assert topic.text == "Ventetider" and topic.registration_id is None
        assert count(MeetingStats) == 1


#: what a person typed when signing up; none of it may be left anywhere once the sign-up has expired
PERSON = {
    "name": "Ingeborg Qvistgaard",
    "email": "ingeborg.qvistgaard@example.dk",
    "phone": "+4521436587",
    "on_behalf_of": "Valdemarine",
    "interpreter_language": "Tigrinya",
    "needs_other": "Plads til kørestol med iltflaske",
}


def past(app, meeting_id: int, days: int) -> None:
    """Move a meeting `days` into the past (sign-up is only open before it)."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at -= timedelta(days=days + 7)
        meeting.ends_at -= timedelta(days=days + 7)
        db.session.commit()


def test_an_expired_sign_up_leaves_no_personal_value_anywhere_and_the_purge_is_audited(
    app, make_meeting, in_app, runner
):
    meeting_id = make_meeting()
    with in_app():
        signup = Signup(role="paaroerende", seats=2, needs=["interpreter", "other"], topic="Ventetider", **PERSON)
        registration = register_for_meeting(meeting_id, signup)
        registration.attended = True
        registration.reminder_sent_at = registration.feedback_sent_at = utcnow()  # the reminder and feedback mails
        db.session.commit()
    past(app, meeting_id, days=31)

    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert "Slettet: 1 tilmeldinger" in result.output and f"Møder: {meeting_id}." in result.output

    with in_app():
        assert leaks(texts=PERSON) == []
        assert count(Registration) == 0
        topic = db.session.scalars(select(Topic)).one()
        assert (topic.text, topic.registration_id) == ("Ventetider", None)
        stats = db.session.get(MeetingStats, meeting_id)
        assert (stats.registered, stats.attended, stats.by_role) == (2, 2, {"paaroerende": 2})
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "purge_expired")).one()
        assert event.actor_email == "system" and event.actor_id is None
        assert event.detail == {
            "registrations": 1,
            "meetings": [meeting_id],
            "drafts": 0,
            "email_addresses": 0,
            "letter_files": 0,
            "audit_events": 0,
            "sms_messages": 0,
        }

    again = runner.invoke(args=["purge-expired"])
    assert "Slettet: 0 tilmeldinger" in again.output and "Møder:" not in again.output
    with in_app():
        assert count(AuditEvent) == 1, "a run that finds nothing writes nothing"


def test_an_expired_sign_up_told_by_sms_leaves_its_number_in_no_sms_row(app, make_meeting, in_app, runner, sms_sent):
    meeting_id, later_id = make_meeting(), make_meeting(starts_in=timedelta(days=60))
    with in_app():
        register_for_meeting(meeting_id, Signup(role="borger", notify_by="sms", **PERSON))
        register_for_meeting(later_id, Signup(role="borger", name="Bo", phone=PHONE))
        db.session.commit()
        assert sorted(db.session.scalars(select(SmsMessage.to_number))) == sorted([PERSON["phone"], PHONE])
    past(app, meeting_id, days=31)
    assert "Slettet: 1 tilmeldinger" in runner.invoke(args=["purge-expired"]).output
    with in_app():
        assert leaks(texts=PERSON) == []
        assert list(db.session.scalars(select(SmsMessage.to_number))) == [PHONE], "the later meeting's stays"


def test_a_sign_up_deleted_by_its_owner_takes_its_sms_rows_with_it(app, make_meeting, in_app, sms_sent):
    meeting_id = make_meeting()
    with in_app():
        registration = register_for_meeting(meeting_id, Signup(role="borger", name="Bo", phone=PHONE))
        db.session.commit()
        assert count(SmsMessage) == 1
        delete_registration(registration)
        db.session.commit()
        assert count(SmsMessage) == 0


def test_sign_ups_are_kept_until_the_retention_period_is_over(app, make_meeting, in_app, runner, monkeypatch):
    meeting_id = make_meeting()
    with in_app():
        register_for_meeting(meeting_id, Signup(role="borger", **PERSON))
        db.session.commit()
    past(app, meeting_id, days=10)
    monkeypatch.setitem(app.config, "REGISTRATION_RETENTION_DAYS", 11)
    assert "Slettet: 0 tilmeldinger" in runner.invoke(args=["purge-expired"]).output
    monkeypatch.setitem(app.config, "REGISTRATION_RETENTION_DAYS", 9)
    assert "Slettet: 1 tilmeldinger" in runner.invoke(args=["purge-expired"]).output


def test_audit_events_older_than_their_retention_period_are_deleted(app, in_app, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_RETENTION_DAYS", 100)
    with in_app():
        db.session.add_all(
            [
                AuditEvent(action="login", target="old@kommune.test", at=utcnow() - timedelta(days=101)),
                AuditEvent(action="login", target="new@kommune.test", at=utcnow() - timedelta(days=99)),
            ]
        )
        db.session.commit()
        assert purge_expired().audit_events == 1
        kept = db.session.execute(select(AuditEvent.action, AuditEvent.target).order_by(AuditEvent.id)).all()
        assert ("login", "old@kommune.test") not in kept and ("login", "new@kommune.test") in kept
        assert ("purge_expired", "retention") in kept, "the purge itself is logged"


def test_two_purges_at_the_same_time_take_turns_and_count_once(app, make_meeting, make_registration, in_app):
    """The second run starts while the first holds its transaction open; it must wait, then find nothing."""
    meeting_id = make_meeting(starts_in=timedelta(days=-40))
    make_registration(meeting_id, role="borger", phone=PHONE)
    make_registration(meeting_id, role="borger", phone=PHONE, seats=2)

    second = {}

    def run_second():
        with app.app_context():
            try:
                second["report"] = purge_expired()
            except Exception as error:  # reported by the assertion below
                second["error"] = error
            finally:
                db.session.remove()

    with app.app_context():
        purge_expired_registrations(retention_days=30)  # the first run, its transaction still open
        with statement_started() as started:
            thread = threading.Thread(target=run_second)
            thread.start()
            wait_until_blocked(started, thread)
        db.session.commit()
        db.session.remove()
    thread.join(timeout=60)

    assert not thread.is_alive() and "error" not in second, second.get("error")
    assert second["report"].registrations == 0
    with in_app():
        stats = db.session.get(MeetingStats, meeting_id)
        assert (stats.registered, count(Registration)) == (3, 0), "counted once"


@contextmanager
def statement_started():
    """An Event per thread, set when that thread sends a statement to the database or, on SQLite, begins to wait
    for its turn in the writers' queue (survey.kernel.database.WritersQueue), which comes before it sends anything."""
    started: dict[int, threading.Event] = defaultdict(threading.Event)
    take = WritersQueue.take

    def before(*_args):
        started[threading.get_ident()].set()

    def taking_turn(queue, descriptor):
        before()
        return take(queue, descriptor)

    event.listen(db.engine, "before_cursor_execute", before)
    WritersQueue.take = taking_turn
    try:
        yield started
    finally:
        WritersQueue.take = take
        event.remove(db.engine, "before_cursor_execute", before)


def wait_until_blocked(started, thread: threading.Thread) -> None:
    """Return once the thread waits for the first run's locks: on PostgreSQL seen in pg_stat_activity; SQLite
    cannot show a waiting writer, so there it is enough that the thread waits for its turn to write."""
    deadline = time.monotonic() + 30
    while not started[thread.ident].is_set():
        assert time.monotonic() < deadline and thread.is_alive(), "the second run never reached the database"
        time.sleep(0.01)
    if db.engine.dialect.name != "postgresql":
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    with db.engine.connect() as connection:
        while not connection.execute(query).scalar():
            assert time.monotonic() < deadline and thread.is_alive(), "the second run never waited for a lock"
            time.sleep(0.01)
            connection.rollback()
