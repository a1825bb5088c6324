"""iCalendar: one VEVENT per meeting with a stable UID, and the public feed of a policy's upcoming meetings."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest

from survey.kernel.extensions import db
from survey.meetings import calendar
from survey.meetings.models import Meeting
from tests import factories
from tests.pages import text_of

BASE = "http://127.0.0.1:5000"
#: a meeting that is never stored: the calendar needs only its columns
UNSTORED = {
    "store": False,
    "id": 42,
    "title": "Dialogmøde",
    "description": "",
    "starts_at": datetime(2030, 12, 5, 16, 0),
    "venue_name": "Rådhuset",
    "sequence": 0,
}


def events_of(ics: bytes) -> list:
    return icalendar.Calendar.from_ical(ics).walk("VEVENT")


def test_the_feed_lists_upcoming_published_meetings_linking_back(app, client, make_meeting):
    soon = make_meeting(title="Snart", starts_in=timedelta(days=3))
    later = make_meeting(title="Senere", starts_in=timedelta(days=30))
    make_meeting(title="Udkast", status="draft")
    make_meeting(title="Aflyst", status="cancelled")
    make_meeting(title="Overstået", starts_in=timedelta(days=-2), deadline_before=timedelta(days=3))
    with app.app_context():
        columns = _columns(db.session.get(Meeting, soon))
        factories.make_meeting("norddjurs", areas=(), **columns | {"title": "Andet sted"})
        db.session.commit()

    response = client.get("/moeder/syddjurs.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    feed = icalendar.Calendar.from_ical(response.data)
    assert feed["METHOD"] == "PUBLISH"
    assert feed["X-WR-CALNAME"] == "Dialogmøder: Syddjurs Kommune"
    events = feed.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Snart", "Senere"]
    assert [str(e["UID"]) for e in events] == [f"meeting-{soon}@127.0.0.1", f"meeting-{later}@127.0.0.1"]
    for event, meeting_id in zip(events, (soon, later), strict=True):
        assert event["URL"] == f"{BASE}/moeder/{meeting_id}"
        assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"
        assert client.get(urlsplit(str(event["URL"])).path).status_code == 200
    assert [tz["TZID"] for tz in feed.walk("VTIMEZONE")] == ["Europe/Copenhagen"]


def _columns(meeting: Meeting) -> dict:
    return {c.key: getattr(meeting, c.key) for c in Meeting.__table__.columns if c.key not in ("id", "policy_id")}


def test_a_policy_without_meetings_has_an_empty_feed(app, client):
    with app.app_context():
        factories.make_policy()
        db.session.commit()
    response = client.get("/moeder/syddjurs.ics")
    assert response.status_code == 200
    assert events_of(response.data) == []


def test_the_meeting_page_subscribes_by_webcal_with_a_how_to(client, make_meeting):
    """An https link only downloads today's file on a phone; webcal:// opens the calendar's subscription."""
    page = client.get(f"/moeder/{make_meeting()}")
    (link,) = [a for a in page.doc.iter("a") if "Abonnér" in (a.text or "")]
    assert link.get("href") == "webcal://127.0.0.1:5000/moeder/syddjurs.ics"
    assert client.get(urlsplit(link.get("href")).path).status_code == 200
    main = page.doc.find(".//main")
    how_to = [text_of(li) for li in main.findall(".//ul[@class='plain-list form-hint']/li")]
    assert [line.split(":")[0] for line in how_to] == ["iPhone", "Android"]


def test_an_unknown_policy_has_no_feed(client):
    assert client.get("/moeder/findes-ikke.ics").status_code == 404


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (datetime(2030, 1, 10, 16, 0), datetime(2030, 1, 10, 17, 0)),  # CET, UTC+1
        (datetime(2030, 6, 10, 15, 0), datetime(2030, 6, 10, 17, 0)),  # CEST, UTC+2
        (datetime(2030, 3, 31, 1, 30), datetime(2030, 3, 31, 3, 30)),  # the morning summer time begins
    ],
)
def test_times_are_written_with_the_copenhagen_time_zone(app_ctx, utc, local):
    meeting = factories.make_meeting(**UNSTORED | {"starts_at": utc, "ends_at": utc + timedelta(hours=2)})
    (event,) = events_of(calendar.feed("x", [meeting]))
    assert event.decoded("DTSTART") == local.replace(tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert event.decoded("DTSTART").astimezone(ZoneInfo("UTC")).replace(tzinfo=None) == utc
    written = f"DTSTART;TZID=Europe/Copenhagen:{local:%Y%m%dT%H%M%S}".encode()
    assert written in calendar.feed("x", [meeting])


def test_the_uid_stays_and_the_sequence_follows_the_meeting(app_ctx):
    meeting = factories.make_meeting(**UNSTORED)
    (before,) = events_of(calendar.feed("x", [meeting]))
    meeting.starts_at += timedelta(days=1)
    meeting.ends_at += timedelta(days=1)
    meeting.sequence += 1
    (after,) = events_of(calendar.feed("x", [meeting]))
    assert before["UID"] == after["UID"] == "meeting-42@127.0.0.1"
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)


def test_the_uid_names_the_public_host(app, app_ctx):
    app.config["PUBLIC_BASE_URL"], saved = "https://borgerdialog.syddjurs.dk/app", app.config["PUBLIC_BASE_URL"]
    try:
        (event,) = events_of(calendar.feed("x", [factories.make_meeting(**UNSTORED)]))
    finally:
        app.config["PUBLIC_BASE_URL"] = saved
    assert event["UID"] == "meeting-42@borgerdialog.syddjurs.dk"
    assert event["URL"] == "https://borgerdialog.syddjurs.dk/app/moeder/42"


def test_the_description_carries_the_text_and_the_link(app_ctx):
    (event,) = events_of(
        calendar.feed("x", [factories.make_meeting(**UNSTORED | {"description": "Kom og sig din mening."})])
    )
    assert str(event["DESCRIPTION"]) == f"Kom og sig din mening.\n\n{BASE}/moeder/42"
    assert str(event["LOCATION"]) == "Rådhuset, Lundbergsvej 2, 8400 Ebeltoft"
