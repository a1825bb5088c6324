"""The personal manage link: a signed token naming the registration and its current manage key."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.meetings.models import Meeting, Registration

SALT = "meeting-registration"
#: the signature's own limit; the link also stops working when the registration's data is deleted
MAX_AGE = timedelta(days=400)


class LinkInvalid(Exception):
    """`reason`: 'forged' (bad signature or unknown), 'expired' (too old, or the data has been deleted)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def manage_token(registration: Registration) -> str:
    return _serializer().dumps([registration.id, registration.manage_key])


def registration_for_token(token: str) -> Registration:
    """The registration a manage link opens; raises LinkInvalid."""
    try:
        registration_id, key = _serializer().loads(token, max_age=int(MAX_AGE.total_seconds()))
    except SignatureExpired as error:
        raise LinkInvalid("expired") from error
    except (BadSignature, ValueError, TypeError) as error:
        raise LinkInvalid("forged") from error
    registration = None
    if isinstance(registration_id, int):
        # the manage pages show the meeting and its municipality: fetched in the same statement
        with_meeting = joinedload(Registration.meeting, innerjoin=True).joinedload(Meeting.policy, innerjoin=True)
        registration = db.session.get(Registration, registration_id, options=[with_meeting])
    if registration is None:
        # deleted after the meeting (retention) or never existed: a signed token means it once did
        raise LinkInvalid("expired")
    if registration.manage_key != key:
        raise LinkInvalid("forged")
    retention = timedelta(days=current_app.config["REGISTRATION_RETENTION_DAYS"])
    if utcnow() > registration.meeting.ends_at + retention:
        raise LinkInvalid("expired")
    return registration
