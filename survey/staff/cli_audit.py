"""Audit of what operational commands change in questionnaires, rounds, invitations and policies.

`flask questionnaires load`, `flask rounds create`, `flask invitations create`, `flask policies load` (and any
other command that changes these) are recorded with actor "cli": the session is watched while a command runs,
and one event per changed questionnaire, round or policy is written in the command's own transaction, so
nothing is logged for a load that is rolled back. Requests are not watched: staff views audit what they do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import click
from flask import has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from survey.staff.audit import audit_cli

_KEY = "cli_audit_changes"

#: (object, "new" | "changed" | "deleted") → (action, target) for an object worth auditing, else None; one per
#: capability whose data the commands change, handed over by create_app (see watch)
Describer = Callable[[object, str], "tuple[str, str] | None"]
_describers: tuple[Describer, ...] = ()


def watch(*describers: Describer) -> None:
    """Audit what CLI commands change in the objects these describers recognise."""
    global _describers
    _describers = describers


def describe(obj, state: str) -> tuple[str, str] | None:
    return next((found for d in _describers if (found := d(obj, state)) is not None), None)


def _watching() -> bool:
    return not has_request_context() and click.get_current_context(silent=True) is not None


@event.listens_for(Session, "before_flush")
def _collect(session, _flush_context, _instances) -> None:
    if not _watching():
        return
    changes = session.info.setdefault(_KEY, {})
    for state, objects in (("new", session.new), ("changed", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            if state == "changed" and not session.is_modified(obj, include_collections=False):
                continue
            if (key := describe(obj, state)) is not None:
                changes.setdefault(key, Counter())[state] += 1


@event.listens_for(Session, "before_commit")
def _write(session) -> None:
    if not _watching():
        return
    session.flush()  # let _collect see what is still pending
    changes = session.info.pop(_KEY, None)
    if not changes:
        return
    for (action, target), counts in changes.items():
        audit_cli(action, target=target, **dict(counts))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, _previous_transaction) -> None:
    session.info.pop(_KEY, None)
