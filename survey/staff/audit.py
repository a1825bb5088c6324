"""Writing the audit log, and the one sanctioned way to remove old events from it.

The table is append-only in the database itself (triggers from the migration refuse UPDATE and DELETE, on
PostgreSQL also TRUNCATE), so no bug or forgotten query in the app can rewrite what staff did."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click
from flask_login import current_user
from sqlalchemy import Connection, delete, select, text

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.staff.models import AuditEvent, StaffUser

#: the actor of events written by operational commands (`flask …`), which run without a logged-in user
CLI_ACTOR = "cli"
#: the actor of events the app writes on its own (the retention purge, a burst of answers to an open round)
SYSTEM_ACTOR = "system"
#: names of the triggers made by the migration (SQLite; on PostgreSQL one trigger covers UPDATE and DELETE)
SQLITE_DELETE_TRIGGER = "audit_event_no_delete"
POSTGRES_TRIGGER = "audit_event_append_only"


def audit(action: str, target: str = "", actor: StaffUser | None = None, **detail) -> AuditEvent:
    """Record what a staff user did; the actor defaults to the logged-in user. Only flushes."""
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        at=clock.utcnow(),
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else "",
        action=action,
        target=target,
        detail=detail,
    )
    db.session.add(event)
    db.session.flush()
    return event


def audit_cli(action: str, target: str = "", **detail) -> AuditEvent:
    """Record what an operational command changed: actor 'cli', with the command and the system user. Only
    flushes."""
    event = AuditEvent(
        at=clock.utcnow(),
        actor_id=None,
        actor_email=CLI_ACTOR,
        action=action,
        target=target,
        detail={"command": _command(), "os_user": _os_user(), **detail},
    )
    db.session.add(event)
    db.session.flush()
    return event


def audit_system(action: str, target: str = "", **detail) -> AuditEvent:
    """Record what the app did or saw by itself: actor 'system'. Only flushes."""
    event = AuditEvent(
        at=clock.utcnow(), actor_id=None, actor_email=SYSTEM_ACTOR, action=action, target=target, detail=detail
    )
    db.session.add(event)
    db.session.flush()
    return event


def events(action: str, targets: list[str]) -> list[AuditEvent]:
    """The events of one action about any of `targets`, oldest first (for a capability that shows its own)."""
    query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.target.in_(targets))
    return list(db.session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)))


def _command() -> str:
    """The running command as typed after the app option, e.g. 'flask staff create'."""
    names, context = [], click.get_current_context(silent=True)
    while context is not None and context.parent is not None:  # the root is the program, whatever it is called
        names.insert(0, context.info_name or "")
        context = context.parent
    return " ".join(["flask", *names]) if names else ""


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return ""


@contextmanager
def deletes_allowed(connection: Connection) -> Iterator[None]:
    """Lift the delete guard on audit_event for the current transaction of `connection` only.

    DDL is transactional on both databases, so the guard is back at commit, and never gone if the transaction
    fails. For retention (purge_audit_events) and the tests' clean-up; UPDATE stays refused throughout."""
    if connection.dialect.name == "sqlite":
        sql = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": SQLITE_DELETE_TRIGGER},
        ).scalar_one()
        connection.execute(text(f"DROP TRIGGER {SQLITE_DELETE_TRIGGER}"))
        yield
        connection.execute(text(sql))
    else:
        connection.execute(text(f"ALTER TABLE audit_event DISABLE TRIGGER {POSTGRES_TRIGGER}"))
        yield
        connection.execute(text(f"ALTER TABLE audit_event ENABLE TRIGGER {POSTGRES_TRIGGER}"))


def purge_audit_events(before: datetime) -> int:
    """Delete events older than `before` (naive UTC) for retention, and log that it happened. Only flushes
    (the caller commits, which also puts the guard back)."""
    connection = db.session.connection()
    with deletes_allowed(connection):
        removed = connection.execute(delete(AuditEvent).where(AuditEvent.at < before)).rowcount
    audit_cli("audit_purged", before=before.isoformat(timespec="seconds"), removed=removed)
    return removed
