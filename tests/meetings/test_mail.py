"""The mails of dialogue meetings, as a real SMTP server receives them: Danish text and HTML, the personal
link, the .ics invitation, updates and cancellations; nothing sent for a transaction that rolled back."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from flask_babel import force_locale

from survey.kernel.extensions import db
from survey.meetings import notify, services
from survey.meetings.models import Meeting, Registration
from survey.meetings.tokens import registration_for_token
from tests.factories import DECEMBER_MEETING
from tests.pages import parse, text_of

BASE = "http://127.0.0.1:5000"
WHEN = "torsdag den 5. december 2030 kl. 17.00–19.00"


def subject(message) -> str:
    # Flask-Mailman folds an encoded Subject onto a continuation line; the parser keeps that line's space
    return message["subject"].strip()


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def calendars(message) -> list:
    return [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]


def invitation(message):
    """The one .ics of the message, parsed back; checks that the MIME part names the same METHOD."""
    (part,) = calendars(message)
    calendar = icalendar.Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(calendar["METHOD"])
    return calendar


def the_event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def manage_url(text: str) -> str:
    (url,) = [line for line in text.splitlines() if line.startswith(f"{BASE}/moeder/tilmelding/")]
    return url


def test_confirmation_says_what_when_where_and_what_was_asked_for(app, smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING | {"parking": False}, hearing_loop=True)
    registration_id = sign_up(
        meeting_id,
        role="paaroerende",
        email="Karen@Example.dk",
        on_behalf_of="Ole",
        seats=2,
        needs=["step_free", "interpreter", "sign_language", "other"],
        interpreter_language="arabisk",
        needs_other="En stol med armlæn",
    )

    (message,) = smtp.messages
    assert smtp.envelopes[0].rcpt_tos == ["karen@example.dk"]
    assert subject(message) == "Du er tilmeldt: Dialogmøde om job og uddannelse"
    assert message["auto-submitted"] == "auto-generated"
    text = text_part(message)
    for line in (
        "Hej Karen Hansen",
        "Du er tilmeldt dialogmødet. Vi glæder os til at se dig.",
        f"Tid: {WHEN}",
        "Sted: Rådhuset, mødesal 1, Lundbergsvej 2, 8400 Ebeltoft",
        "- Trinfri adgang: ja",
        "- Teleslynge: ja",
        "- Handicaptoilet: ja",
        "- Parkering: nej",
        "Indgang fra gården. Elevator til 1. sal.",
        "- Antal pladser: 2",
        "- Tilmeldt på vegne af: Ole",
        "- Tolk på arabisk",
        "- Tegnsprogstolk",
        "- Andet: En stol med armlæn",
        f"Mere om mødet: {BASE}/moeder/{meeting_id}",
        "Mødet er vedhæftet som en kalenderfil. Åbn filen for at sætte mødet i din kalender.",
    ):
        assert line in text.splitlines(), line
    with app.app_context():
        token = urlsplit(manage_url(text)).path.rsplit("/", 1)[1]
        assert registration_for_token(token).id == registration_id

    html = parse(html_part(message))
    assert html.get("lang") == "da"
    assert f"Tid: {WHEN}" in text_of(html)
    assert manage_url(text) in [a.get("href") for a in html.iter("a")]
    assert "Tolk på arabisk" in [text_of(li) for li in html.iter("li")]


def test_the_invitation_is_a_calendar_request_in_danish_time(smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id)

    calendar = invitation(smtp.messages[0])
    assert calendar["METHOD"] == "REQUEST"
    event = the_event(calendar)
    assert event["UID"] == f"meeting-{meeting_id}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert event["SUMMARY"] == "Dialogmøde om job og uddannelse"
    assert event["LOCATION"] == "Rådhuset, mødesal 1, Lundbergsvej 2, 8400 Ebeltoft"
    assert event["URL"] == f"{BASE}/moeder/{meeting_id}"
    assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert event.decoded("DTSTART") == datetime(2030, 12, 5, 17, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert event.decoded("DTEND") == datetime(2030, 12, 5, 19, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Copenhagen"]
    assert str(event["ATTENDEE"]) == "mailto:karen@example.dk"
    assert str(event["ORGANIZER"]) == "mailto:noreply@borgerdialog.test"


def test_the_waiting_list_gets_its_number_and_no_calendar_entry(smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=2)
    sign_up(meeting_id, email="a@example.dk", seats=2)
    sign_up(meeting_id, email="b@example.dk")
    sign_up(meeting_id, email="c@example.dk")

    (message,) = smtp.to("c@example.dk")
    assert subject(message) == "Du er på venteliste: Dialogmøde om job og uddannelse"
    text = text_part(message)
    assert "Du er nummer 2 på ventelisten." in text
    assert "kalenderfil" not in text
    assert calendars(message) == []
    assert calendars(smtp.to("a@example.dk")[0]) != []


def test_nothing_is_sent_when_the_transaction_rolls_back(app, smtp, make_meeting):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    signup = services.Signup(role="borger", name="Karen", email="karen@example.dk")
    with app.app_context():
        services.register_for_meeting(meeting_id, signup, now=datetime(2030, 11, 1))
        db.session.rollback()
        assert smtp.messages == []
        services.register_for_meeting(meeting_id, signup, now=datetime(2030, 11, 1))
        db.session.commit()
    assert len(smtp.messages) == 1


def test_no_address_no_mail(smtp, make_meeting, sign_up):
    sign_up(make_meeting(**DECEMBER_MEETING), email=None, phone="+4520304050")
    assert smtp.messages == []


def test_a_freed_seat_promotes_the_waiting_list_with_an_invitation(app, smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=1)
    first = sign_up(meeting_id, email="first@example.dk")
    sign_up(meeting_id, email="second@example.dk")
    smtp.clear()
    with app.app_context():
        registration = db.session.get(Registration, first)
        services.cancel_registration(registration)  # tells the person itself
        db.session.commit()

    (promoted,) = smtp.to("second@example.dk")
    assert subject(promoted) == "Der er plads til dig: Dialogmøde om job og uddannelse"
    assert "Du er nu tilmeldt dialogmødet." in text_part(promoted)
    assert invitation(promoted)["METHOD"] == "REQUEST"

    (cancelled,) = smtp.to("first@example.dk")
    assert subject(cancelled) == "Du er afmeldt: Dialogmøde om job og uddannelse"
    calendar = invitation(cancelled)
    assert calendar["METHOD"] == "CANCEL"
    assert the_event(calendar)["STATUS"] == "CANCELLED"
    assert the_event(calendar)["UID"] == f"meeting-{meeting_id}@127.0.0.1"


def test_a_waitlisted_person_who_cancels_gets_no_calendar_file(app, smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=1)
    sign_up(meeting_id, email="first@example.dk")
    waiting = sign_up(meeting_id, email="second@example.dk")
    smtp.clear()
    with app.app_context():
        registration = db.session.get(Registration, waiting)
        services.cancel_registration(registration)
        db.session.commit()
    (message,) = smtp.messages
    assert calendars(message) == []


def test_a_changed_time_updates_the_same_calendar_entry(app, smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=1)
    sign_up(meeting_id, email="seat@example.dk")
    sign_up(meeting_id, email="waiting@example.dk")
    smtp.clear()
    with app.app_context():
        row = db.session.get(Meeting, meeting_id)
        moved = services.update_meeting(
            row, starts_at=datetime(2030, 12, 10, 15, 30), ends_at=datetime(2030, 12, 10, 17, 30)
        )
        db.session.commit()
    assert moved

    (message,) = smtp.to("seat@example.dk")
    assert subject(message) == "Mødet er ændret: Dialogmøde om job og uddannelse"
    assert "Tid: tirsdag den 10. december 2030 kl. 16.30–18.30" in text_part(message)
    calendar = invitation(message)
    assert calendar["METHOD"] == "REQUEST"
    event = the_event(calendar)
    assert event["UID"] == f"meeting-{meeting_id}@127.0.0.1"
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == datetime(2030, 12, 10, 16, 30, tzinfo=ZoneInfo("Europe/Copenhagen"))

    (waiting,) = smtp.to("waiting@example.dk")
    assert "Du er stadig på ventelisten." in text_part(waiting)
    assert calendars(waiting) == []


def test_a_change_that_does_not_move_the_meeting_mails_nobody(app, smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id)
    smtp.clear()
    with app.app_context():
        services.update_meeting(db.session.get(Meeting, meeting_id), description="Ny tekst")
        db.session.commit()
    assert smtp.messages == []


def test_cancelling_the_meeting_cancels_the_calendar_entry(app, smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email="a@example.dk")
    sign_up(meeting_id, email="b@example.dk", seats=2)
    smtp.clear()
    with app.app_context():
        services.cancel_meeting(db.session.get(Meeting, meeting_id))
        db.session.commit()

    assert sorted(rcpt for envelope in smtp.envelopes for rcpt in envelope.rcpt_tos) == [
        "a@example.dk",
        "b@example.dk",
    ]
    for message in smtp.messages:
        assert subject(message) == "Mødet er aflyst: Dialogmøde om job og uddannelse"
        assert "Mødet er desværre aflyst." in text_part(message)
        calendar = invitation(message)
        assert calendar["METHOD"] == "CANCEL"
        event = the_event(calendar)
        assert event["STATUS"] == "CANCELLED"
        assert event["UID"] == f"meeting-{meeting_id}@127.0.0.1"
        assert event["SEQUENCE"] == 1


def test_a_repeat_sign_up_tells_the_owner_with_their_link_and_changes_nothing(app, smtp, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    registration_id = sign_up(meeting_id, seats=2)
    smtp.clear()
    stranger = services.Signup(role="borger", name="Mallory", email="karen@example.dk", seats=4, topic="Spam")
    with app.app_context():
        assert services.sign_up_public(meeting_id, stranger) is None
        db.session.commit()
    (message,) = smtp.messages
    assert subject(message) == "Du er allerede tilmeldt: Dialogmøde om job og uddannelse"
    assert [rcpt for envelope in smtp.envelopes for rcpt in envelope.rcpt_tos] == ["karen@example.dk"]
    text = text_part(message)
    assert "Du er allerede tilmeldt, så vi har ikke ændret noget." in text
    assert "Du har en plads på mødet." in text and "Antal pladser: 2" in text and "Mallory" not in text
    assert "Du er allerede tilmeldt, så vi har ikke ændret noget." in text_of(parse(html_part(message)))
    with app.app_context():
        assert registration_for_token(manage_url(text).rsplit("/", 1)[1]).id == registration_id
        registration = db.session.get(Registration, registration_id)
        assert (registration.name, registration.seats, registration.topics) == ("Karen Hansen", 2, [])


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        (datetime(2030, 12, 5, 16), datetime(2030, 12, 5, 18), WHEN),
        # summer time: UTC+2
        (datetime(2030, 7, 4, 15), datetime(2030, 7, 4, 17, 30), "torsdag den 4. juli 2030 kl. 17.00–19.30"),
        (
            datetime(2030, 7, 4, 20),
            datetime(2030, 7, 4, 23),
            "torsdag den 4. juli 2030 kl. 22.00 til fredag den 5. juli 2030 kl. 01.00",
        ),
    ],
)
def test_times_are_written_in_danish_time(app_ctx, starts, ends, expected):
    with force_locale("da"):
        assert notify.meeting_when(Meeting(starts_at=starts, ends_at=ends)) == expected


def test_the_development_sink_shows_the_mail_to_staff(app, client, login_as, file_sink, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email="karen@example.dk")
    login_as(client, "admin")

    page = client.get("/personale/post")
    assert page.status_code == 200
    (row,) = page.doc.findall(".//tbody/tr")
    assert "Du er tilmeldt: Dialogmøde om job og uddannelse" in text_of(row)
    assert "karen@example.dk" in text_of(row)

    shown = client.get(row.find(".//a").get("href"))
    assert shown.status_code == 200
    body = text_of(shown.doc.find(".//main"))
    assert f"Tid: {WHEN}" in body
    assert "METHOD:REQUEST" in body
    assert f"UID:meeting-{meeting_id}@127.0.0.1" in body


@pytest.mark.parametrize("path", ["/personale/post/../../secret_key/0", "/personale/post/x.eml/0"])
def test_the_sink_opens_only_its_own_files(client, login_as, file_sink, path):
    login_as(client, "admin")
    assert client.get(path).status_code == 404


def test_with_smtp_the_sink_page_lists_nothing(client, login_as, smtp, make_meeting, sign_up):
    sign_up(make_meeting(**DECEMBER_MEETING))
    login_as(client, "admin")
    page = client.get("/personale/post")
    assert "E-mails sendes med SMTP" in text_of(page.doc.find(".//main"))
    assert page.doc.find(".//table") is None
    assert client.get("/personale/post/20301205-170000-1.eml/0").status_code == 404


@pytest.mark.parametrize("role", ["meeting_host", "analyst"])
def test_the_sink_is_for_admins_only(client, login_as, file_sink, make_meeting, sign_up, role):
    """It shows every citizen's manage link: a meeting host has no business holding the keys to their sign-ups."""
    sign_up(make_meeting(**DECEMBER_MEETING), email="karen@example.dk")
    login_as(client, role)
    assert client.get("/personale/post").status_code == 403
    assert client.get("/personale/post/20301205-170000-1.eml/0").status_code == 403
    assert "/personale/post" not in client.get("/personale/").get_data(as_text=True)


def test_the_file_backend_writes_one_eml_file_per_mail(app, file_sink, make_meeting, sign_up):
    """As the README says: each mail is an .eml file a mail program opens as it is."""
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email="karen@example.dk")
    sign_up(meeting_id, email="ole@example.dk")
    files = sorted(file_sink.iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]
    mails = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert [m["to"] for m in mails] == ["karen@example.dk", "ole@example.dk"]
