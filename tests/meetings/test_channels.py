"""Which channel tells a person about their sign-up: e-mail when they gave only an address, SMS when they gave only
a mobile number, and the one they chose when they gave both (e-mail unless they chose SMS); in the language they
signed up in. A phone number alone reaches nobody while no channel for phones is registered."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.kernel.sms import SmsMessage
from survey.meetings import scheduled
from survey.meetings.models import Registration
from survey.meetings.services import Signup, register_for_meeting
from tests.channels import phone_channels_removed
from tests.factories import DECEMBER_MEETING
from tests.factories import DECEMBER_REMINDER_DUE as DUE

SUBJECT = "Du er tilmeldt: Dialogmøde om job og uddannelse"
SHORT_LINK = r"http://127\.0\.0\.1:5000/m/[A-Za-z0-9_-]{16}"


def mails(app) -> list:
    return app.extensions["mailman"].outbox


def test_an_e_mail_address_gets_an_e_mail_when_both_are_given_and_nothing_was_chosen(
    app, make_meeting, sign_up, sms_sent
):
    sign_up(make_meeting(**DECEMBER_MEETING), email="karen@example.dk", phone="+4520304050")
    (mail,) = mails(app)
    assert (mail.to, mail.subject) == (["karen@example.dk"], SUBJECT)
    assert sms_sent.sent == []


def test_both_given_and_sms_chosen_gets_only_sms_reminder_included(app, make_meeting, sign_up, sms_sent):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email="karen@example.dk", phone="+4520304050", notify_by="sms")
    with app.app_context():
        assert scheduled.send_reminders(DUE) == 1
    assert [sms.to for sms in sms_sent.sent] == ["+4520304050", "+4520304050"]
    assert mails(app) == []


def test_a_phone_number_alone_is_sent_nothing_while_no_channel_reaches_a_phone(
    app, make_meeting, sign_up, sms_sent, monkeypatch
):
    phone_channels_removed(app, monkeypatch)
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email=None, phone="+4520304050")
    sign_up(meeting_id, email="chose@example.dk", phone="+4520304051", notify_by="sms")
    with app.app_context():
        assert scheduled.send_reminders(DUE) == 0
        assert list(db.session.scalars(select(Registration.reminder_sent_at))) == [None, None], "left for SMS"
    assert mails(app) == [] and sms_sent.sent == []


def test_a_phone_only_sign_up_gets_its_confirmation_and_reminder_by_sms(app, make_meeting, sign_up, sms_sent):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    registration_id = sign_up(meeting_id, email=None, phone="+4520304050")
    (confirmation,) = sms_sent.sent
    assert confirmation.to == "+4520304050"
    assert confirmation.text.startswith(
        "Du er tilmeldt Dialogmøde om job og uddannelse, torsdag den 5. december 2030 kl. 17.00-19.00.\n"
        "Sted: Rådhuset, mødesal 1, Lundbergsvej 2, 8400 Ebeltoft\n"
        "Se, ret eller afmeld: http://127.0.0.1:5000/m/"
    )
    assert confirmation.encoding == "gsm7"
    with app.app_context():
        assert scheduled.send_reminders(DUE) == 1
        assert db.session.scalar(select(Registration.reminder_sent_at)) == DUE
        topics = list(db.session.scalars(select(SmsMessage.topic)))
    assert [sms.text.split(" ")[0] for sms in sms_sent.sent] == ["Du", "Husk:"]
    assert topics == [f"meeting:{meeting_id}/registration:{registration_id}"] * 2
    assert mails(app) == []


def test_an_english_sign_up_is_told_in_english_by_sms_and_by_mail(app, make_meeting, sign_up, sms_sent):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email=None, phone="+4520304050", language="en")
    sign_up(meeting_id, email="anna@example.dk", language="en")
    (sms,) = sms_sent.sent
    assert sms.text.startswith("You are signed up for Dialogmøde om job og uddannelse, Thursday 5 December 2030")
    assert "See, change or cancel: http://127.0.0.1:5000/m/" in sms.text
    (mail,) = mails(app)
    assert mail.subject == "You are signed up: Dialogmøde om job og uddannelse"
    assert "lang=en" in mail.body, "the manage link opens the page in English"


def test_a_sign_up_that_rolls_back_sends_no_sms(app, make_meeting, sms_sent):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    with app.app_context():
        signup = Signup(role="borger", name="Karen", phone="+4520304050")
        register_for_meeting(meeting_id, signup, now=datetime(2030, 11, 1))
        db.session.rollback()
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(SmsMessage)) == 0
    assert sms_sent.sent == []


@pytest.mark.parametrize("kind", ["promoted", "meeting_changed", "meeting_cancelled", "registration_cancelled"])
def test_every_later_message_reaches_a_phone_only_sign_up(app, make_meeting, sign_up, sms_sent, kind):
    from survey.meetings import services

    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=1)
    first = sign_up(meeting_id, email="first@example.dk")
    waiting = sign_up(meeting_id, email=None, phone="+4520304050")
    sms_sent.sent.clear()
    with app.app_context():
        registration = db.session.get(Registration, waiting)
        if kind == "promoted":
            services.cancel_registration(db.session.get(Registration, first))
        elif kind == "meeting_changed":
            services.update_meeting(registration.meeting, venue_name="Biblioteket", capacity=2)
        elif kind == "meeting_cancelled":
            services.cancel_meeting(registration.meeting)
        else:
            services.cancel_registration(registration)
        db.session.commit()
    first_words = {
        "promoted": "Der er blevet plads til dig: Dialogmøde om job og uddannelse",
        "meeting_changed": "Mødet er flyttet: Dialogmøde om job og uddannelse er nu",
        "meeting_cancelled": "Mødet er aflyst: Dialogmøde om job og uddannelse",
        "registration_cancelled": "Du er afmeldt Dialogmøde om job og uddannelse",
    }
    assert sms_sent.sent[0].to == "+4520304050"
    assert sms_sent.sent[0].text.startswith(first_words[kind]), sms_sent.sent[0].text
