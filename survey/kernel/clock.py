"""The one clock and the one place for time zones: stored times are naive UTC, people see Danish time.

Everything reads the time through `now()` (looked up when called), so a test that replaces `clock.now` moves the
clock for the whole app at once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")


def now() -> datetime:
    """Aware UTC now."""
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Naive UTC now: stored without zone on both SQLite and PostgreSQL, compared as UTC everywhere."""
    return now().replace(tzinfo=None)


def timestamp() -> int:
    """Whole seconds since the epoch, as kept in the session."""
    return int(now().timestamp())


def iso_week(moment: datetime) -> str:
    """The ISO week of a moment, e.g. '2026-W47': the finest time we keep with an answer."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) moment in Danish time."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_ZONE)


def local_to_utc(value: datetime) -> datetime:
    """A naive Danish local time (as typed by staff) as the naive UTC the database keeps."""
    return value.replace(tzinfo=LOCAL_ZONE).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(value: datetime) -> datetime:
    """Naive UTC from the database as naive Danish local time, for a form or a spreadsheet cell."""
    return to_local(value).replace(tzinfo=None)
