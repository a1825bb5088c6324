"""iCalendar (.ics) for dialogue meetings: the invitation in a mail, its cancellation, and the public feed.

One meeting is one VEVENT with a UID that never changes and the meeting's SEQUENCE, so a calendar that
already holds the meeting updates (or removes) that entry instead of adding a second one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app

from survey.kernel.clock import to_local
from survey.kernel.urls import public_url
from survey.meetings.models import Meeting, Registration

if TYPE_CHECKING:  # icalendar is imported where an entry is made: the meeting pages need it only for a file
    from icalendar import Event

PRODID = "-//Borgerdialog//Dialogmøder//DA"


def meeting_uid(meeting: Meeting) -> str:
    """Stable for the meeting's whole life; the host part names this installation."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "borgerdialog"
    return f"meeting-{meeting.id}@{host}"


def meeting_event(meeting: Meeting, cancelled: bool = False) -> Event:
    """The meeting as one VEVENT, with its times in Europe/Copenhagen."""
    from icalendar import Event

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", to_local(meeting.starts_at))
    event.add("dtend", to_local(meeting.ends_at))
    event.add("summary", meeting.shown_title)
    event.add("location", f"{meeting.venue_name}, {meeting.venue_address}")
    url = public_url("meetings.meeting", meeting_id=meeting.id)
    event.add("url", url)
    event.add("description", "\n\n".join(part for part in (meeting.shown_description.strip(), url) if part))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar(method: str, events: Iterable[Event], name: str | None = None) -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    events = list(events)
    for event in events:
        calendar.add_component(event)
    if events:
        # a VTIMEZONE covering a year either side of the meetings, not every rule change since 1970
        first = min(event.decoded("dtstart") for event in events).date() - timedelta(days=366)
        last = max(event.decoded("dtend") for event in events).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def _with_people(event: Event, registration: Registration, partstat: str) -> Event:
    """ORGANIZER and ATTENDEE, which iTIP (RFC 5546) requires on REQUEST and CANCEL."""
    from icalendar import vCalAddress, vText

    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or "Borgerdialog")
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{registration.email}")
    attendee.params["cn"] = vText(registration.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText(partstat)
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    return event


def invitation(registration: Registration) -> bytes:
    """METHOD:REQUEST for a confirmed seat: adds the meeting to the person's calendar, or updates it."""
    event = _with_people(meeting_event(registration.meeting), registration, "ACCEPTED")
    return _calendar("REQUEST", [event])


def cancellation(registration: Registration) -> bytes:
    """METHOD:CANCEL, STATUS:CANCELLED: removes the meeting from the person's calendar (meeting cancelled, or
    the person cancelled their own seat)."""
    event = _with_people(meeting_event(registration.meeting, cancelled=True), registration, "DECLINED")
    return _calendar("CANCEL", [event])


def feed(name: str, meetings: Iterable[Meeting]) -> bytes:
    """METHOD:PUBLISH: a subscription calendar of meetings, each linking back to its page."""
    return _calendar("PUBLISH", [meeting_event(meeting) for meeting in meetings], name=name)
