"""Small helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")


def utcnow() -> datetime:
    """Naive UTC now: stored without zone on both SQLite and PostgreSQL, compared as UTC everywhere."""
    return datetime.now(UTC).replace(tzinfo=None)


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
