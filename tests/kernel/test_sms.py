"""The SMS channel: encoding and segments, E.164, the transactional outbox table, retries with back-off, never
twice, delivery reports signed per message, and what is kept of a sent message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from survey.kernel import outbox, sms
from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.outbox import Message, Recipient
from survey.kernel.sms import PermanentFailure, SmsMessage, TemporaryFailure
from survey.kernel.sms_text import GSM7, UCS2, display_number, measure, parse_mobile


@pytest.fixture
def note_template(app, monkeypatch):
    """sms/note.txt, a template of this test only."""
    loader = ChoiceLoader([DictLoader({"sms/note.txt": "Hej {{ name }}.\n\n\n{{ text }}  \n"}), app.jinja_loader])
    monkeypatch.setattr(app.jinja_env, "loader", loader)


def due(now=None) -> dict[str, int]:
    """`flask sms send` at `now`; the test's own session lets go of the database first (SQLite's write lock)."""
    db.session.commit()
    return sms.send_due(now=now)


def note(phone="+4520304050", **extra) -> Message:
    return Message(Recipient(phone=phone), "note", "Emne", {"name": "Karen", "text": "Din kode er ABCD"}, **extra)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 1),
        ("æøå ÆØÅ é Ü ß", GSM7, 13, 1),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        ("€" * 80, GSM7, 160, 1),  # the extension table takes two septets a character
        ("€" * 81, GSM7, 162, 2),
        ("Hej 😀", UCS2, 6, 1),  # an emoji: UCS-2, and two UTF-16 units
        ("ç" * 70, UCS2, 70, 1),
        ("ç" * 71, UCS2, 71, 2),
        ("ş" * 134, UCS2, 134, 2),
        ("ş" * 135, UCS2, 135, 3),
    ],
)
def test_encoding_and_segments(text, encoding, units, segments):
    size = measure(text)
    assert (size.encoding, size.units, size.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("20 30 40 50", "+4520304050"),
        ("+45 20 30 40 50", "+4520304050"),
        ("004520304050", "+4520304050"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0046701234567", "+46701234567"),
    ],
)
def test_mobile_numbers_become_e164(typed, e164):
    assert parse_mobile(typed) == e164


@pytest.mark.parametrize(
    "typed", ["", "12", "80 20 10 20", "90 12 34 56", "+45 1234", "0701234567", "hej", "+1 999 999 9999"]
)
def test_what_is_not_a_mobile_number_is_refused(typed):
    # 80… is a free-phone and 90… a premium-rate number; 0701234567 is Swedish without its country code
    with pytest.raises(ValueError):
        parse_mobile(typed)


def test_numbers_are_shown_as_people_write_them():
    assert display_number("+4520304050") == "20 30 40 50"
    assert display_number("+46701234567") == "+46 70 123 45 67"


def test_the_sms_channel_reaches_a_mobile_number_and_e_mail_comes_first(app_ctx):
    assert outbox.channel_for(Recipient(phone="+4520304050")).name == "sms"
    assert outbox.channel_for(Recipient(email="karen@example.dk", phone="+4520304050")).name == "email"
    assert outbox.contacts_reached() == {"email", "phone"}


def test_an_sms_is_stored_with_its_transaction_and_sent_after_the_commit(app_ctx, sms_sent, note_template):
    outbox.queue(note(topic="registration:7"))
    assert sms_sent.sent == []
    db.session.rollback()
    assert db.session.scalars(select(SmsMessage)).all() == [], "a rolled-back message is not kept"

    outbox.queue(note(topic="registration:7"))
    db.session.commit()
    [sent] = sms_sent.sent
    assert (sent.to, sent.text, sent.encoding) == ("+4520304050", "Hej Karen.\n\nDin kode er ABCD", GSM7)
    message = db.session.get(SmsMessage, sent.id)
    db.session.refresh(message)
    assert (message.status, message.segments, message.topic, message.attempts) == ("sent", 1, "registration:7", 1)
    assert message.body is None, "the text (a code, a link) is deleted once the gateway has it"
    assert message.to_number == "+4520304050"


def test_a_gateway_that_is_down_is_retried_with_back_off_and_then_given_up(app_ctx, sms_sent, note_template):
    sms_sent.fail = TemporaryFailure("nede")
    outbox.queue(note())
    db.session.commit()
    message = db.session.scalars(select(SmsMessage)).one()
    start = message.next_attempt_at
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.next_attempt_at - message.claimed_at == timedelta(minutes=1)
    assert message.body, "kept until it is sent"

    assert due(now=message.claimed_at) == {}, "not due before its back-off"
    now = start
    for attempt, wait in enumerate(sms.BACKOFF_MINUTES[1:], start=2):
        now += timedelta(minutes=5 * 60)
        assert due(now=now) == {"queued": 1}
        db.session.refresh(message)
        assert message.attempts == attempt
        assert message.next_attempt_at == now + timedelta(minutes=wait)
    assert due(now=now + timedelta(days=1)) == {"failed": 1}
    db.session.refresh(message)
    assert (message.status, message.body, message.error) == ("failed", None, "nede")
    assert sms_sent.sent == []


def test_a_gateway_back_up_sends_what_waited_once(app_ctx, sms_sent, note_template):
    sms_sent.fail = TemporaryFailure("nede")
    outbox.queue(note())
    outbox.queue(note(phone="+4530405060"))
    db.session.commit()
    sms_sent.fail = None
    later = utcnow() + timedelta(minutes=2)
    assert due(now=later) == {"sent": 2}
    assert due(now=later) == {}
    assert sorted(sent.to for sent in sms_sent.sent) == ["+4520304050", "+4530405060"]


def test_a_refused_message_fails_at_once_and_is_shown_as_a_problem(app_ctx, sms_sent, note_template):
    sms_sent.fail = PermanentFailure("nummeret er spærret")
    outbox.queue(note(topic="registration:7"))
    outbox.queue(note(topic="round:3"))
    db.session.commit()
    outbox.queue(note(topic="round:30"))
    db.session.commit()
    [failed] = sms.problems("registration:7")
    assert [m.topic for m in sms.problems("round:3")] == ["round:3"], "not round 30's"
    assert (failed.status, failed.error, failed.attempts, failed.body) == ("failed", "nummeret er spærret", 1, None)
    assert failed.to_number == "+4520304050", "staff must see whom it did not reach"


def test_a_message_whose_sender_died_is_never_sent_again(app_ctx, sms_sent, note_template):
    """The sender claimed it (committed) and was killed before it could mark the answer: the gateway may have
    taken it, so it turns 'unknown' for staff instead of going out twice."""
    message = SmsMessage(
        to_number="+4520304050",
        body="x",
        template="note",
        encoding=GSM7,
        segments=1,
        status="sending",
        claimed_at=utcnow(),
        attempts=1,
        topic="round:3",
    )
    db.session.add(message)
    db.session.commit()
    assert due() == {}
    assert due(now=utcnow() + sms.STALE) == {}
    db.session.refresh(message)
    assert (message.status, message.body) == ("unknown", None)
    assert sms_sent.sent == []
    assert sms.problems("round:3") == [message]


def test_a_transient_message_keeps_no_number_and_is_not_retried(app_ctx, sms_sent, note_template):
    sms_sent.fail = TemporaryFailure("nede")
    outbox.queue(note(transient=True))
    db.session.commit()
    message = db.session.scalars(select(SmsMessage)).one()
    assert (message.status, message.to_number, message.body) == ("failed", None, None)
    sms_sent.fail = None
    outbox.queue(note(transient=True))
    db.session.commit()
    assert [m.to_number for m in db.session.scalars(select(SmsMessage))] == [None, None]
    assert len(sms_sent.sent) == 1


def test_delivery_reports_need_the_message_s_own_signature(app, client, sms_sent, note_template):
    with app.app_context():
        outbox.queue(note())
        db.session.commit()
        [sent] = sms_sent.sent
        signature = sms.report_signature(sent.id)
        other = sms.report_signature(sent.id + 1)
    url = f"/sms/rapport/{sent.id}"
    assert client.get(f"{url}?sig={other}&type=1").status_code == 403, "another message's signature"
    assert client.get(f"{url}?sig=&type=1").status_code == 403
    assert client.get(f"{url}?sig={signature}&type=x").status_code == 400
    assert client.get(f"{url}?sig={signature}&type=8").status_code == 204
    with app.app_context():
        assert db.session.get(SmsMessage, sent.id).status == "sent", "taken by the SMSC is not yet delivered"
    assert client.get(f"{url}?sig={signature}&type=1").status_code == 204
    with app.app_context():
        message = db.session.get(SmsMessage, sent.id)
        assert (message.status, message.report) == ("delivered", 1)
    assert client.get(f"{url}?sig={signature}&type=16").status_code == 204
    with app.app_context():
        assert db.session.get(SmsMessage, sent.id).status == "failed"


def test_a_closing_round_forgets_its_numbers_and_old_messages_are_purged(app_ctx, sms_sent, note_template):
    outbox.queue(note(topic="round:3"))
    outbox.queue(note(topic="round:4"))
    outbox.queue(note(topic="meeting:3/registration:9"))
    db.session.commit()
    assert sms.forget("round:3") == 1, "not round 4's, not a meeting's"
    assert sms.forget("meeting:3") == 1, "a meeting holds its sign-ups' messages"
    db.session.commit()
    assert [m.topic for m in db.session.scalars(select(SmsMessage))] == ["round:4"]
    assert sms.purge(now=utcnow() + timedelta(days=29)) == 0
    assert sms.purge(now=utcnow() + timedelta(days=31)) == 1


def test_purge_expired_deletes_old_sms_messages(app_ctx, sms_sent, note_template):
    from survey.retention import purge_expired

    outbox.queue(note(topic="registration:7"))
    db.session.commit()
    assert purge_expired(now=utcnow() + timedelta(days=29)).sms_messages == 0
    assert purge_expired(now=utcnow() + timedelta(days=31)).sms_messages == 1
    assert db.session.scalars(select(SmsMessage)).all() == []


class ReportsAtOnce:
    """A gateway whose delivery report (`report`) reaches the app before its answer to the send, as Kannel's
    often does: no transaction of the sender may hold the database meanwhile, and the report must stay."""

    def __init__(self, report: int):
        self.report = report

    def send(self, outgoing):
        assert sms.record_report(outgoing.id, self.report)


@pytest.mark.parametrize(("report", "status"), [(1, "delivered"), (8, "sent"), (16, "failed")])
def test_a_report_before_the_gateway_s_answer_stays(app, app_ctx, note_template, monkeypatch, report, status):
    monkeypatch.setitem(app.extensions, sms.BACKENDS, ReportsAtOnce(report))
    outbox.queue(note())
    db.session.commit()
    message = db.session.scalars(select(SmsMessage)).one()
    db.session.refresh(message)
    assert (message.status, message.report, message.body) == (status, report, None)


def test_taken_by_the_smsc_after_delivered_keeps_delivered(app_ctx, sms_sent, note_template):
    """Kannel's fake SMSC (and real ones) may report 8 after 1."""
    outbox.queue(note())
    db.session.commit()
    [sent] = sms_sent.sent
    assert sms.record_report(sent.id, sms.DELIVERED_REPORT)
    assert sms.record_report(sent.id, sms.SMSC_ACCEPTED_REPORT)
    message = db.session.get(SmsMessage, sent.id)
    assert (message.status, message.report) == ("delivered", 1)
