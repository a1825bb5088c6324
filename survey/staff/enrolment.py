"""The second-factor secret while a user sets up their authenticator app: made once per half login, kept on the
server (PendingEnrolment) under a random key that is all the session holds, and removed when the enrolment is
confirmed or its half login has run out of time.

Two tabs of one half login share the key, so a reload shows the same secret. Another half login (a second
device, or someone else who knows the password) gets a secret of its own; the first one confirmed becomes the
user's second factor and ends every other pending enrolment of the user."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.staff.models import PendingEnrolment, StaffUser


def pending_secret(
    user: StaffUser, key: str | None, lifetime: timedelta, new_secret: Callable[[], str]
) -> tuple[str, str]:
    """(key, secret) of the half login's enrolment: the one `key` names while it is the user's and younger than
    `lifetime`, else a new one (when expired ones are cleared away). Only flushes."""
    now = clock.utcnow()
    found = db.session.get(PendingEnrolment, key) if key else None
    if found is not None and found.user_id == user.id and found.created_at > now - lifetime:
        return found.key, found.secret
    db.session.execute(delete(PendingEnrolment).where(PendingEnrolment.created_at <= now - lifetime))
    made = PendingEnrolment(key=secrets.token_urlsafe(32), user_id=user.id, secret=new_secret(), created_at=now)
    db.session.add(made)
    db.session.flush()
    return made.key, made.secret


def finish(user: StaffUser) -> None:
    """The user's second factor is set up: every pending enrolment of theirs is moot. Only flushes."""
    db.session.execute(delete(PendingEnrolment).where(PendingEnrolment.user_id == user.id))


def forget(key: str | None) -> None:
    """Remove one half login's pending enrolment (its half login ended). Only flushes."""
    if key:
        db.session.execute(delete(PendingEnrolment).where(PendingEnrolment.key == key))
