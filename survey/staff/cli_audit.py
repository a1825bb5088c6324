"""Audit of what operational commands change in questionnaires, rounds, invitations and policies.

`flask questionnaires load`, `flask rounds create`, `flask invitations create`, `flask policies load` (and any
other command that changes these) are recorded with actor "cli": the session is watched while a command runs,
and one event per changed questionnaire, round or policy is written in the command's own transaction, so
nothing is logged for a load that is rolled back. Requests are not watched: staff views audit what they do."""

from __future__ import annotations

from collections import Counter

import click
from flask import has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from survey.policies.models import FocusArea, Goal, Policy
from survey.questionnaire.models import Invitation, Question, Questionnaire, Round

_KEY = "cli_audit_changes"


def _questionnaire_target(questionnaire: Questionnaire | None, fallback_id: int | None) -> str:
    if questionnaire is None:
        return f"questionnaire:#{fallback_id}"
    return f"questionnaire:{questionnaire.slug}:v{questionnaire.version}"


def _policy_target(policy: Policy | None) -> str:
    return f"policy:{policy.slug}" if policy is not None else "policy:?"


def describe(obj, state: str) -> tuple[str, str] | None:
    """(action, target) for a changed object worth auditing, else None."""
    if isinstance(obj, Questionnaire):
        return "questionnaire_changed", _questionnaire_target(obj, obj.id)
    if isinstance(obj, Question):
        return "questionnaire_changed", _questionnaire_target(obj.questionnaire, obj.questionnaire_id)
    if isinstance(obj, Round):
        return "round_changed", f"round:{obj.slug}"
    if isinstance(obj, Invitation):
        # codes are only made from the command line; using one (a citizen's request) is not watched here
        return (
            ("invitations_created", f"round:{obj.round.slug if obj.round else obj.round_id}")
            if state == "new"
            else None
        )
    if isinstance(obj, Policy):
        return "policy_changed", _policy_target(obj)
    if isinstance(obj, FocusArea):
        return "policy_changed", _policy_target(obj.policy)
    if isinstance(obj, Goal):
        return "policy_changed", _policy_target(obj.focus_area.policy if obj.focus_area else None)
    return None


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
    from survey.staff.audit import audit_cli

    for (action, target), counts in changes.items():
        audit_cli(action, target=target, **dict(counts))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, _previous_transaction) -> None:
    session.info.pop(_KEY, None)
