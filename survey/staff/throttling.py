"""Limits on guessing a staff member's password or second-factor code, built so that a stranger cannot lock the
staff member out.

Every failure is written to the audit log with the client address (an IPv6 address as its /64, the prefix one
subscriber gets), and the counts are read from there, so every app server sees the same. Two locks:

- one address for one account: ADDRESS_FAILURES wrong tries from it within ADDRESS_WINDOW refuse that address for
  that account until the window has passed them by. The account itself, from any other address, is not affected.
- the whole account: ACCOUNT_FAILURES wrong tries from any addresses within ACCOUNT_WINDOW (counted afresh after
  each such lock) lock the account everywhere, against guessing spread over many addresses. Each further
  account-wide lock within LOCK_MEMORY lasts twice as long as the one before, up to LONGEST_LOCK.

Each lock is an audit event naming the address(es) whose failures caused it; refused tries are audited too."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.staff.audit import audit
from survey.staff.models import AuditEvent, StaffUser

ADDRESS_FAILURES = 10
ADDRESS_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 100
ACCOUNT_WINDOW = timedelta(hours=1)
FIRST_ACCOUNT_LOCK = timedelta(minutes=15)
LONGEST_LOCK = timedelta(hours=24)
#: account-wide locks this recent make the next one longer
LOCK_MEMORY = timedelta(days=7)
#: the addresses named in an account-wide lock's audit event (the most failures first)
NAMED_ADDRESSES = 20


@dataclass(frozen=True)
class Guess:
    """One kind of guess, and the audit actions it is counted and reported by."""

    failed: str
    refused: str
    address_locked: str
    account_locked: str


PASSWORD = Guess("login_failed", "login_throttled", "login_address_locked", "login_account_locked")
SECOND_FACTOR = Guess(
    "second_factor_failed", "second_factor_throttled", "second_factor_address_locked", "second_factor_account_locked"
)


class LoginLocked(Exception):
    """Too many wrong tries lately, for this account from this address or for the account as a whole."""

    def __init__(self, wait: timedelta):
        super().__init__(wait)
        self.wait = wait


def client_key(address: str | None) -> str:
    """The address the counts are kept for: an IPv4 address as it is, an IPv6 address as its /64."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


def check(guess: Guess, target: str, address: str, actor: StaffUser | None = None) -> None:
    """Raise LoginLocked (and audit the refused try) when `target` is locked from `address` or everywhere."""
    now, key = clock.utcnow(), client_key(address)
    lock = _account_lock(guess, target, now)
    if lock is not None:
        scope, until = "account", datetime.fromisoformat(lock.detail["until"])
    else:
        scope, until = "address", _address_lock_until(guess, target, key, now)
    if until is None or until <= now:
        return
    audit(guess.refused, target=target, actor=actor, address=key, scope=scope)
    raise LoginLocked(until - now)


def failed(guess: Guess, target: str, address: str, actor: StaffUser | None = None, **detail) -> None:
    """Audit a wrong try, and start a lock when this one reaches a limit (audited with who caused it)."""
    now, key = clock.utcnow(), client_key(address)
    audit(guess.failed, target=target, actor=actor, address=key, **detail)
    until = _address_lock_until(guess, target, key, now)
    if until is not None:
        audit(guess.address_locked, target=target, address=key, failures=ADDRESS_FAILURES, until=_iso(until))
    since = max(now - ACCOUNT_WINDOW, _last_account_lock_at(guess, target, now) or datetime.min)
    by_address = _failures_by_address(guess, target, since)
    failures = sum(count for _address, count in by_address)
    if failures >= ACCOUNT_FAILURES:
        level = _account_locks_since(guess, target, now - LOCK_MEMORY)
        until = now + min(FIRST_ACCOUNT_LOCK * 2**level, LONGEST_LOCK)
        audit(
            guess.account_locked,
            target=target,
            failures=failures,
            level=level + 1,
            until=_iso(until),
            addresses=[[a, n] for a, n in by_address[:NAMED_ADDRESSES]],
            address_count=len(by_address),
        )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _failed(guess: Guess, target: str):
    return (AuditEvent.action == guess.failed, AuditEvent.target == target)


def _address(key: str):
    return AuditEvent.detail["address"].as_string() == key


def _address_lock_until(guess: Guess, target: str, key: str, now: datetime) -> datetime | None:
    """When the address's lock on the account ends: ADDRESS_WINDOW after the ADDRESS_FAILURES-th newest of its
    failures within the window; None when it has fewer."""
    nth_newest = db.session.scalar(
        select(AuditEvent.at)
        .where(*_failed(guess, target), AuditEvent.at >= now - ADDRESS_WINDOW, _address(key))
        .order_by(AuditEvent.at.desc())
        .offset(ADDRESS_FAILURES - 1)
        .limit(1)
    )
    return nth_newest + ADDRESS_WINDOW if nth_newest is not None else None


def _account_locks(guess: Guess, target: str):
    return select(AuditEvent).where(AuditEvent.action == guess.account_locked, AuditEvent.target == target)


def _account_lock(guess: Guess, target: str, now: datetime) -> AuditEvent | None:
    """The account-wide lock in force, if any."""
    latest = db.session.scalar(
        _account_locks(guess, target).where(AuditEvent.at >= now - LONGEST_LOCK).order_by(AuditEvent.at.desc())
    )
    return latest if latest is not None and datetime.fromisoformat(latest.detail["until"]) > now else None


def _last_account_lock_at(guess: Guess, target: str, now: datetime) -> datetime | None:
    """When the latest account-wide lock (within LOCK_MEMORY) began: failures before it are spent."""
    query = _account_locks(guess, target).where(AuditEvent.at >= now - LOCK_MEMORY).order_by(AuditEvent.at.desc())
    latest = db.session.scalar(query)
    return latest.at if latest is not None else None


def _account_locks_since(guess: Guess, target: str, since: datetime) -> int:
    query = select(func.count()).select_from(_account_locks(guess, target).where(AuditEvent.at >= since).subquery())
    return db.session.scalar(query)


def _failures_by_address(guess: Guess, target: str, since: datetime) -> list[tuple[str, int]]:
    """(address, failures) since `since`, the most failures first."""
    address = AuditEvent.detail["address"].as_string()
    rows = db.session.execute(
        select(address, func.count())
        .where(*_failed(guess, target), AuditEvent.at > since)
        .group_by(address)
        .order_by(func.count().desc(), address)
    ).all()
    return [(a or "unknown", n) for a, n in rows]
