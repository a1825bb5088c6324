"""`flask meetings send-reminders` and `send-feedback`: due messages (e-mail, or SMS to a sign-up with only a mobile
number) go out once, also when run again or twice at the same time (cron), and a batch that fails sends and marks
nothing."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from survey.kernel import clock
from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.meetings import notify, scheduled
from survey.meetings.models import Meeting, Registration
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Round
from survey.questionnaire.rounds import find_invitation
from tests.factories import DECEMBER_MEETING, DECEMBER_REMINDER_DUE
from tests.pages import text_of

STARTS = DECEMBER_MEETING["starts_at"]
DUE = DECEMBER_REMINDER_DUE


def recipients(smtp) -> list[str]:
    return sorted(rcpt for envelope in smtp.envelopes for rcpt in envelope.rcpt_tos)


def remind(runner, now: datetime):
    result = runner.invoke(args=["meetings", "send-reminders", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def signed_up(app, make_meeting, sign_up):
    """A meeting with two confirmed seats, one on the waiting list, one cancelled and one without e-mail."""
    meeting_id = make_meeting(
        **DECEMBER_MEETING, capacity=2, reminder_note="Husk at tage jeres spørgsmål med.\nDer er kaffe."
    )
    sign_up(meeting_id, email="a@example.dk")
    sign_up(meeting_id, email=None, phone="+4520304050", name="Uden e-mail")
    sign_up(meeting_id, email="waiting@example.dk")
    cancelled = sign_up(meeting_id, email="cancelled@example.dk")
    with app.app_context():
        db.session.get(Registration, cancelled).status = "cancelled"
        db.session.commit()
    return meeting_id


def test_confirmed_sign_ups_are_reminded_once(app, runner, smtp, sms_sent, signed_up):
    smtp.clear()
    sms_sent.sent.clear()
    assert remind(runner, DUE) == "Sendt: 2 påmindelser.\n"
    assert recipients(smtp) == ["a@example.dk"]
    (sms,) = sms_sent.sent
    assert sms.to == "+4520304050"
    assert sms.text.startswith("Husk: Dialogmøde om job og uddannelse, torsdag den 5. december 2030 kl. 17.00-19.00.")
    assert remind(runner, DUE) == "Sendt: 0 påmindelser.\n"
    assert remind(runner, DUE + timedelta(hours=10)) == "Sendt: 0 påmindelser.\n"
    assert len(smtp.messages) == 1 and len(sms_sent.sent) == 1
    with app.app_context():
        marked = db.session.scalars(select(Registration.name).where(Registration.reminder_sent_at.is_not(None)))
        assert sorted(marked) == ["Karen Hansen", "Uden e-mail"]


def test_the_reminder_carries_the_hosts_note_and_the_calendar_entry(smtp, runner, signed_up):
    smtp.clear()
    remind(runner, DUE)
    (message,) = smtp.messages
    assert message["subject"].strip() == "Påmindelse: Dialogmøde om job og uddannelse"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "En hilsen fra mødets vært:\r\nHusk at tage jeres spørgsmål med.\r\nDer er kaffe." in text
    assert "Tid: torsdag den 5. december 2030 kl. 17.00–19.00" in text
    assert "/moeder/tilmelding/" in text
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_content())
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.walk("VEVENT")[0]["UID"] == f"meeting-{signed_up}@127.0.0.1"


@pytest.mark.parametrize(
    ("now", "why"),
    [
        (STARTS - timedelta(days=2, hours=1), "not yet within reminder_days"),
        (STARTS, "the meeting has started"),
        (STARTS + timedelta(hours=3), "the meeting is over"),
    ],
)
def test_no_reminder_outside_the_window(smtp, runner, signed_up, now, why):
    smtp.clear()
    assert remind(runner, now) == "Sendt: 0 påmindelser.\n", why
    assert smtp.messages == []


def test_the_reminder_days_are_the_meetings_own(app, smtp, runner, signed_up):
    with app.app_context():
        db.session.get(Meeting, signed_up).reminder_days = 5
        db.session.commit()
    smtp.clear()
    assert remind(runner, STARTS - timedelta(days=4)) == "Sendt: 2 påmindelser.\n"


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_no_reminder_for_a_meeting_that_is_not_published(app, smtp, runner, signed_up, status):
    with app.app_context():
        db.session.get(Meeting, signed_up).status = status
        db.session.commit()
    smtp.clear()
    assert remind(runner, DUE) == "Sendt: 0 påmindelser.\n"


def test_a_failed_batch_sends_and_marks_nothing(app, smtp, make_meeting, sign_up, monkeypatch):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    for n in range(3):
        sign_up(meeting_id, email=f"p{n}@example.dk")
    smtp.clear()
    real, calls = notify.reminder, []

    def fails_on_the_third(registration):
        calls.append(registration.email)
        if len(calls) == 3:
            raise RuntimeError("template broke")
        real(registration)

    monkeypatch.setattr(notify, "reminder", fails_on_the_third)
    with app.app_context(), pytest.raises(RuntimeError):
        scheduled.send_reminders(DUE)
    assert smtp.messages == []
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).where(Registration.reminder_sent_at.is_not(None))) == 0

    monkeypatch.setattr(notify, "reminder", real)
    with app.app_context():
        assert scheduled.send_reminders(DUE) == 3
    assert recipients(smtp) == ["p0@example.dk", "p1@example.dk", "p2@example.dk"]


def test_batches_cover_everyone(app, smtp, make_meeting, sign_up, monkeypatch):
    monkeypatch.setattr(scheduled, "BATCH", 2)
    meeting_id = make_meeting(**DECEMBER_MEETING)
    for n in range(5):
        sign_up(meeting_id, email=f"p{n}@example.dk")
    smtp.clear()
    with app.app_context():
        assert scheduled.send_reminders(DUE) == 5
    assert recipients(smtp) == [f"p{n}@example.dk" for n in range(5)]


def test_two_runs_at_the_same_time_send_each_reminder_once(app, smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=40)
    for n in range(12):
        sign_up(meeting_id, email=f"p{n:02}@example.dk")
    smtp.clear()
    counts, errors, start = [], [], threading.Barrier(3)

    def run():
        try:
            with app.app_context():
                start.wait()
                counts.append(scheduled.send_reminders(DUE))
        except Exception as error:  # surfaced below; a thread's exception would otherwise be lost
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(counts) == 12
    assert recipients(smtp) == [f"p{n:02}@example.dk" for n in range(12)]


@pytest.fixture
def attended(app, make_meeting, sign_up):
    """An ended meeting: two who came (one without e-mail), one who did not."""
    meeting_id = make_meeting(**DECEMBER_MEETING)
    came = sign_up(meeting_id, email="came@example.dk")
    phone_only = sign_up(meeting_id, email=None, phone="+4520304050")
    sign_up(meeting_id, email="stayed-home@example.dk")
    with app.app_context():
        for registration_id in (came, phone_only):
            db.session.get(Registration, registration_id).attended = True
        db.session.commit()
    return meeting_id


AFTER = STARTS + timedelta(hours=3)
SENT_FEEDBACK = "beskeder (e-mail eller sms) med en kode til evaluering af mødet."


@pytest.fixture
def feedback_questionnaire(app):
    with app.app_context():
        load_questionnaire(ROOT / "data/questionnaires/syddjurs-dialogmoede.yaml")
        db.session.commit()


def test_feedback_goes_once_to_those_who_came_with_a_code_that_opens_the_survey(
    app, runner, smtp, sms_sent, attended, feedback_questionnaire
):
    smtp.clear()
    sms_sent.sent.clear()
    args = ["meetings", "send-feedback", "--now", AFTER.isoformat()]
    assert runner.invoke(args=args).output == f"Sendt: 2 {SENT_FEEDBACK}\n"
    assert runner.invoke(args=args).output == f"Sendt: 0 {SENT_FEEDBACK}\n"
    (message,) = smtp.messages
    assert recipients(smtp) == ["came@example.dk"]
    assert message["subject"].strip() == "Hvad syntes du om mødet? Dialogmøde om job og uddannelse"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Dine svar er anonyme." in text
    link = re.search(r"http://127\.0\.0\.1:5000(/s/dialogmoede-\d+/)\?kode=([A-Z0-9]{8})", text)
    assert link, text
    assert list(message.iter_attachments()) == []
    with app.app_context():
        round_ = db.session.get(Round, db.session.get(Meeting, attended).feedback_round_id)
        assert find_invitation(round_, link.group(2)) is not None, "the mailed code opens the meeting's survey"
    (sms,) = sms_sent.sent
    texted = re.search(r"http://127\.0\.0\.1:5000/s/dialogmoede-\d+/\?kode=([A-Z0-9]{8})", sms.text)
    assert sms.to == "+4520304050" and texted, sms.text
    assert texted.group(1) != link.group(2)
    with app.app_context():
        assert find_invitation(round_, texted.group(1)) is not None, "the texted code opens the meeting's survey"


def test_no_feedback_before_the_meeting_has_ended(runner, smtp, attended, feedback_questionnaire):
    smtp.clear()
    result = runner.invoke(args=["meetings", "send-feedback", "--now", (STARTS + timedelta(hours=1)).isoformat()])
    assert result.output == f"Sendt: 0 {SENT_FEEDBACK}\n"
    assert smtp.messages == []


def test_without_the_feedback_questionnaire_nothing_is_sent(app, runner, smtp, attended):
    smtp.clear()
    result = runner.invoke(args=["meetings", "send-feedback", "--now", AFTER.isoformat()])
    assert result.exit_code == 1
    assert "Intet sendt" in result.output and "syddjurs-dialogmoede" in result.output
    assert smtp.messages == []
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).where(Registration.feedback_sent_at.is_not(None))) == 0


def test_now_must_be_a_date_and_time(runner):
    result = runner.invoke(args=["meetings", "send-reminders", "--now", "i morgen"])
    assert result.exit_code == 2
    assert "ISO-format" in result.output


def test_the_feedback_start_page_asks_for_the_code_from_the_mail_or_sms_it_came_in(
    app, client, runner, smtp, sms_sent, attended, feedback_questionnaire, monkeypatch
):
    smtp.clear()
    sms_sent.sent.clear()
    runner.invoke(args=["meetings", "send-feedback", "--now", AFTER.isoformat()])
    (message,) = smtp.messages
    mailed = re.search(r"http://127\.0\.0\.1:5000(/s/\S+)", message.get_body(preferencelist=("plain",)).get_content())
    texted = re.search(r"http://127\.0\.0\.1:5000(/s/\S+)", sms_sent.sent[0].text)
    monkeypatch.setattr(clock, "now", lambda: AFTER.replace(tzinfo=UTC))  # while the feedback round is open
    for link, label in ((mailed, "Kode fra din e-mail"), (texted, "Kode fra din sms")):
        page = client.get(link.group(1))
        assert page.status_code == 200, link.group(1)
        assert text_of(page.doc.find(".//label[@for='code']")) == label
        assert "brev" not in text_of(page.doc.find(".//form"))
    typed = client.get(mailed.group(1).split("?")[0])  # the address typed by hand: no channel named, no letter
    assert text_of(typed.doc.find(".//label[@for='code']")) == "Din kode"
