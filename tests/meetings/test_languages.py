"""A meeting's own texts (title, description, access note, the host's line in the reminder) in the reader's
language: English pages, calendars, mails and SMS show the English text staff wrote, or the Danish one when they
wrote none; Danish readers always get the Danish. A typed interpreter language is named in the reader's language."""

from __future__ import annotations

import email
import email.policy

import icalendar
import pytest

from survey.meetings import scheduled
from tests.factories import DECEMBER_MEETING
from tests.factories import DECEMBER_REMINDER_DUE as DUE
from tests.pages import text_of

ENGLISH = {
    "title": "Dialogmøde om job og uddannelse",
    "title_en": "Dialogue meeting on jobs and education",
    "description_en": "We would like to hear what you think.",
    "accessibility_note": "Indgangen uden trin er fra parkeringspladsen",
    "accessibility_note_en": "The step-free entrance is from the car park",
    "reminder_note": "Vi glæder os til at se dig",
    "reminder_note_en": "We look forward to seeing you",
}


def mails(app) -> list:
    return app.extensions["mailman"].outbox


def calendar_of(app, mail) -> icalendar.Calendar:
    with app.app_context():
        message = email.message_from_bytes(mail.message().as_bytes(), policy=email.policy.default)
    (part,) = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(part.get_content())


def test_an_english_sign_up_gets_the_english_meeting_texts_in_mail_calendar_and_reminder(app, make_meeting, sign_up):
    meeting_id = make_meeting(**(DECEMBER_MEETING | ENGLISH))
    sign_up(meeting_id, email="anna@example.dk", language="en", needs=["interpreter"], interpreter_language="arabisk")
    (mail,) = mails(app)
    assert mail.subject == "You are signed up: Dialogue meeting on jobs and education"
    assert "The step-free entrance is from the car park" in mail.body
    assert "Interpreter in Arabic" in mail.body, "the typed language named in English"
    assert "Dialogmøde" not in mail.body and "Indgangen" not in mail.body
    assert f"/moeder/{meeting_id}?lang=en" in mail.body, "the meeting's page opens in English"
    ((html, _mimetype),) = mail.alternatives
    assert '<html lang="en">' in html and "Dialogue meeting on jobs and education" in html
    (event,) = calendar_of(app, mail).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Dialogue meeting on jobs and education"
    assert str(event["DESCRIPTION"]).startswith("We would like to hear what you think.")
    with app.app_context():
        assert scheduled.send_reminders(DUE) == 1
    reminder = mails(app)[-1]
    assert reminder.subject == "Reminder: Dialogue meeting on jobs and education"
    assert "We look forward to seeing you" in reminder.body and "Vi glæder" not in reminder.body


def test_a_danish_sign_up_gets_the_danish_texts_and_the_interpreter_language_in_danish(app, make_meeting, sign_up):
    meeting_id = make_meeting(**(DECEMBER_MEETING | ENGLISH))
    sign_up(meeting_id, needs=["interpreter"], interpreter_language="English")
    (mail,) = mails(app)
    assert mail.subject == "Du er tilmeldt: Dialogmøde om job og uddannelse"
    assert "Tolk på engelsk" in mail.body and "Tolk på English" not in mail.body
    assert "Indgangen uden trin er fra parkeringspladsen" in mail.body and "car park" not in mail.body
    (event,) = calendar_of(app, mail).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Dialogmøde om job og uddannelse"


def test_an_interpreter_language_that_names_no_language_is_shown_as_typed(app, make_meeting, sign_up):
    sign_up(make_meeting(**DECEMBER_MEETING), needs=["interpreter"], interpreter_language="dari/farsi")
    (mail,) = mails(app)
    assert "Tolk på dari/farsi" in mail.body


def test_an_english_sms_carries_the_english_title(app, make_meeting, sign_up, sms_sent):
    sign_up(make_meeting(**(DECEMBER_MEETING | ENGLISH)), email=None, phone="+4520304050", language="en")
    (sms,) = sms_sent.sent
    assert sms.text.startswith("You are signed up for Dialogue meeting on jobs and education, Thursday 5 December")


@pytest.mark.parametrize(
    ("lang", "shown", "hidden"),
    [
        ("en", ["Dialogue meeting on jobs and education", "The step-free entrance is from the car park"], ["Dialogm"]),
        ("da", ["Dialogmøde om job og uddannelse", "Indgangen uden trin er fra parkeringspladsen"], ["car park"]),
    ],
)
def test_the_meeting_pages_and_the_feed_show_the_texts_of_the_page_language(client, make_meeting, lang, shown, hidden):
    meeting_id = make_meeting(**ENGLISH)
    pages = [f"/moeder/?lang={lang}", f"/moeder/{meeting_id}?lang={lang}", f"/moeder/{meeting_id}/tilmeld?lang={lang}"]
    for url in pages:
        text = text_of(client.get(url).doc)
        assert shown[0] in text, url
        assert not any(word in text for word in hidden), url
    assert shown[1] in text_of(client.get(f"/moeder/{meeting_id}?lang={lang}").doc)
    feed = icalendar.Calendar.from_ical(client.get(f"/moeder/syddjurs.ics?lang={lang}").data)
    assert [str(event["SUMMARY"]) for event in feed.walk("VEVENT")] == [shown[0]]


def test_english_pages_show_the_danish_text_where_staff_wrote_no_english(client, make_meeting):
    meeting_id = make_meeting(title="Dialogmøde om fællesskaber")
    assert "Dialogmøde om fællesskaber" in text_of(client.get(f"/moeder/{meeting_id}?lang=en").doc)
