"""Staff accounts and the audit log."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from survey.extensions import db
from survey.staff.models import ROLES, AuditEvent, StaffUser, spend_password_check_time

MIN_PASSWORD_LENGTH = 12


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_staff(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


def create_staff(email: str, role: str, password: str, name: str = "") -> StaffUser:
    """A new staff user. Only flushes."""
    if role not in ROLES:
        raise ValueError(f"ukendt rolle {role!r}; vælg en af {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"adgangskoden skal have mindst {MIN_PASSWORD_LENGTH} tegn")
    if find_staff(email) is not None:
        raise ValueError(f"der findes allerede en medarbejder med e-mail {normalise_email(email)}")
    user = StaffUser(email=normalise_email(email), role=role, name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active user with this e-mail and password, else None; both outcomes are audited. Only flushes."""
    user = find_staff(email)
    if user is None:
        spend_password_check_time(password)
    ok = user is not None and user.active and user.check_password(password)
    audit("login" if ok else "login_failed", target=normalise_email(email), actor=user if ok else None)
    return user if ok else None


def audit(action: str, target: str = "", actor: StaffUser | None = None, **detail) -> AuditEvent:
    """Record what a staff user did; the actor defaults to the logged-in user. Only flushes."""
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else "",
        action=action,
        target=target,
        detail=detail,
    )
    db.session.add(event)
    db.session.flush()
    return event
