"""Every SMS template (templates/sms/*.txt) sent with the longest values it can realistically get, through the code
that really sends it: tests/test_sms_templates.py checks that each fits in MAX_SEGMENTS, in every language.

SAMPLES maps a template's name to a function (app, language) -> the texts sent, each a str. A new template gets its
entry here (the test fails for a template without one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from flask import Flask
from flask_babel import force_locale

from survey.kernel import outbox
from survey.kernel.extensions import db
from survey.kernel.outbox import Message, Recipient
from survey.kernel.urls import public_url
from survey.meetings import notify
from survey.meetings.models import Registration
from survey.questionnaire import email_invitations
from tests import factories
from tests.sms import memory_backend

#: a long, real-looking public address (the links are built on it)
LONGEST_BASE_URL = "https://borgerdialog.socialomraadet.sonderborgkommune.dk"
LONGEST_MUNICIPALITY = "Sønderborg Kommune, Social- og Beskæftigelsesforvaltningen"
#: as long as the staff form allows (200 and 200 + 300 characters), with words and Danish letters
LONGEST_TITLE = ("Dialogmøde om støtte til pårørende, bostøtte og beskæftigelse for borgere over 18 år " * 3)[:200]
LONGEST_VENUE = ("Kulturhuset Ølgod, mødesal på første sal ved siden af biblioteket " * 4)[:200]
LONGEST_ADDRESS = ("Sønder Allé 112, 2. sal, indgang fra gården bag Rådhuset, 6400 Sønderborg " * 5)[:300]
#: across midnight, in the longest month and weekday names (Danish 'september', English 'Wednesday')
LONGEST_TIME = {"starts_at": datetime(2030, 9, 25, 20, 0), "ends_at": datetime(2030, 9, 26, 1, 0)}
#: a long waiting list
LONGEST_POSITION = 999


@contextmanager
def longest_settings(app: Flask) -> Iterator[None]:
    settings = {"PUBLIC_BASE_URL": LONGEST_BASE_URL, "MUNICIPALITY_NAME": LONGEST_MUNICIPALITY}
    position = mock.patch("survey.meetings.services.waitlist_position", return_value=LONGEST_POSITION)
    with mock.patch.dict(app.config, settings), position:
        yield


def _meeting_sms(send: Callable[[Registration], None], status: str = "confirmed", **columns):
    """A sample of a meeting message: a phone-only sign-up for the longest meeting, told by `send`."""

    def sample(app: Flask, language: str) -> list[str]:
        sent = memory_backend(app)
        with app.app_context(), longest_settings(app):
            meeting = factories.make_meeting(
                title=LONGEST_TITLE,
                venue_name=LONGEST_VENUE,
                venue_address=LONGEST_ADDRESS,
                registration_deadline=datetime(2030, 9, 20),
                **LONGEST_TIME,
            )
            registration = factories.make_registration(
                meeting.id, phone="+4520304050", status=status, language=language, name="Karen", **columns
            )
            send(registration)
            db.session.commit()
        return [sms.text for sms in sent.sent]

    return sample


def _invitation_sms(reminder: bool):
    """A sample of a round's SMS invitation or reminder: the longest round address (80 characters), a questionnaire
    title of 300 characters with a dash GSM-7 has not, and the longest municipality name."""

    def sample(app: Flask, language: str) -> list[str]:
        sent = memory_backend(app)
        with app.app_context(), longest_settings(app), force_locale(language):
            round_ = factories.make_round(access="invitation", slug="x" * 80)
            round_.questionnaire.title = ("Tilfredshed med hjælpen – hjemmepleje og genoptræning " * 6)[:300]
            round_.questionnaire.policy.municipality = LONGEST_MUNICIPALITY
            outbox.queue(email_invitations._message(round_, email_invitations.SMS, "+4520304050", "ABCD2345", reminder))
            db.session.commit()
        return [sms.text for sms in sent.sent]

    return sample


def _resume_code(app: Flask, language: str) -> list[str]:
    """The resume code a citizen has sent to their phone: the longest round address (80 characters) and page, the
    longest month name in both languages."""
    sent = memory_backend(app)
    with app.app_context(), longest_settings(app):
        link = public_url("questionnaire.page", round_slug="s" * 80, token="ABCDEFGHJKMN", number=12)
        context = {"code": "ABCD-EFGH-JKMN", "link": link, "last_moment": datetime(2026, 9, 30, 21, 59, 59)}
        outbox.queue(Message(Recipient(phone="+4520304050"), "resume_code", "", context, language, transient=True))
        db.session.commit()
    return [sms.text for sms in sent.sent]


def _feedback(registration: Registration) -> None:
    # the address survey.meetings.scheduled sends: the round's slug (dialogmoede-<meeting id>), an 8-letter code
    start = public_url("questionnaire.start", round_slug="dialogmoede-99999")
    notify.feedback(registration, f"{start}?kode=ABCDEFGH")


SAMPLES: dict[str, list[Callable[[Flask, str], list[str]]]] = {
    "registration_received": [
        _meeting_sms(notify.registration_received),
        _meeting_sms(notify.registration_received, status="waitlisted"),
    ],
    "already_signed_up": [
        _meeting_sms(notify.already_signed_up),
        _meeting_sms(notify.already_signed_up, status="waitlisted"),
    ],
    "promoted": [_meeting_sms(notify.promoted)],
    "behalf_confirmation": [_meeting_sms(notify.behalf_confirmation, behalf_contact="+4520304051")],
    "meeting_changed": [_meeting_sms(notify.meeting_changed)],
    "meeting_cancelled": [_meeting_sms(notify.meeting_cancelled)],
    "registration_cancelled": [_meeting_sms(notify.registration_cancelled)],
    "reminder": [_meeting_sms(notify.reminder)],
    "feedback": [_meeting_sms(_feedback)],
    "survey_invitation": [_invitation_sms(reminder=False)],
    "survey_reminder": [_invitation_sms(reminder=True)],
    "resume_code": [_resume_code],
}
