"""Which channel tells a person about their sign-up: e-mail when they gave an address; a phone number alone
reaches nobody until a channel for phones is registered, and then that channel gets every message, reminders
included, without a change to the meetings code."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings import scheduled
from survey.meetings.models import Registration
from survey.meetings.services import Signup, register_for_meeting
from tests.channels import phone_channels_removed, register_pigeon
from tests.factories import DECEMBER_MEETING
from tests.factories import DECEMBER_REMINDER_DUE as DUE

SUBJECT = "Du er tilmeldt: Dialogmøde om job og uddannelse"


@pytest.fixture
def pigeon(app, monkeypatch):
    return register_pigeon(app, monkeypatch)


def mails(app) -> list:
    return app.extensions["mailman"].outbox


def test_an_e_mail_address_gets_an_e_mail_also_when_a_phone_channel_exists(app, make_meeting, sign_up, pigeon):
    sign_up(make_meeting(**DECEMBER_MEETING), email="karen@example.dk", phone="+4520304050")
    (mail,) = mails(app)
    assert (mail.to, mail.subject) == (["karen@example.dk"], SUBJECT)
    assert pigeon.sent == []


def test_a_phone_number_alone_is_sent_nothing_while_no_channel_reaches_a_phone(app, make_meeting, sign_up, monkeypatch):
    phone_channels_removed(app, monkeypatch)
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email=None, phone="+4520304050")
    with app.app_context():
        assert scheduled.send_reminders(DUE) == 0
        assert db.session.scalar(select(Registration.reminder_sent_at)) is None, "left for a channel to come"
    assert mails(app) == []


def test_a_registered_phone_channel_gets_the_phone_only_sign_up_and_its_reminder(app, make_meeting, sign_up, pigeon):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email=None, phone="+4520304050")
    assert pigeon.sent == [("+4520304050", "registration_received", SUBJECT)]
    with app.app_context():
        assert scheduled.send_reminders(DUE) == 1
        assert db.session.scalar(select(Registration.reminder_sent_at)) == DUE
    assert pigeon.sent[1:] == [("+4520304050", "reminder", "Påmindelse: Dialogmøde om job og uddannelse")]
    assert mails(app) == []


def test_a_sign_up_that_rolls_back_tells_no_channel(app, make_meeting, pigeon):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    with app.app_context():
        signup = Signup(role="borger", name="Karen", phone="+4520304050")
        register_for_meeting(meeting_id, signup, now=datetime(2030, 11, 1))
        db.session.rollback()
        db.session.commit()
    assert pigeon.sent == []
