"""The staff package's one source of the current time, so tests move the clock instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Aware UTC now."""
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Naive UTC now, as the database stores times."""
    return now().replace(tzinfo=None)


def timestamp() -> int:
    """Whole seconds since the epoch, as kept in the session."""
    return int(now().timestamp())
