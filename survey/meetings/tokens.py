"""The personal manage link: a signed token naming the registration and its current manage key; and its short
form for SMS (/m/<key><tag>), which opens the same page and dies with it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.meetings.models import SHORT_KEY_LENGTH, Meeting, Registration

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
        registration = db.session.get(Registration, registration_id, options=[_WITH_MEETING])
    return _live(registration, key)


# the manage pages show the meeting and its municipality: fetched in the same statement
_WITH_MEETING = (
    joinedload(Registration.meeting, innerjoin=True).joinedload(Meeting.policy, innerjoin=True).undefer_group("contact")
)


def _live(registration: Registration | None, manage_key: str) -> Registration:
    """The registration a genuine link named, if its key still holds and its data is kept; raises LinkInvalid."""
    if registration is None:
        # deleted after the meeting (retention) or never existed: a signed token means it once did
        raise LinkInvalid("expired")
    if registration.manage_key != manage_key:
        raise LinkInvalid("forged")
    retention = timedelta(days=current_app.config["REGISTRATION_RETENTION_DAYS"])
    if utcnow() > registration.meeting.ends_at + retention:
        raise LinkInvalid("expired")
    return registration


# The short link (SMS): the registration's random short key, then a tag of 6 characters made with SECRET_KEY: 2
# over the key alone (a mistyped or cut link is told apart from a deleted sign-up without the database) and 4 over
# the key and the manage key (a new manage key revokes the short link with the long one). The random key carries no
# order and no id, so the links cannot be lined up with the order of sign-ups; guessing one means guessing 60
# random bits, and the route is rate-limited. Same expiry as the long link: the registration's data.
SHORT_SALT = b"meeting-short-link"
KEY_TAG, BOUND_TAG = 2, 4
SHORT_LINK = re.compile(rf"[A-Za-z0-9_-]{{{SHORT_KEY_LENGTH + KEY_TAG + BOUND_TAG}}}")


def _tag(*parts: str, length: int) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, SHORT_SALT + b"\x00" + "\x00".join(parts).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:length]


def short_code(registration: Registration) -> str:
    """The code of the registration's short manage link (16 characters)."""
    key = registration.short_key
    return key + _tag(key, length=KEY_TAG) + _tag(key, registration.manage_key, length=BOUND_TAG)


def registration_for_short_code(code: str) -> Registration:
    """The registration a short link opens; raises LinkInvalid as registration_for_token does."""
    if not SHORT_LINK.fullmatch(code):
        raise LinkInvalid("forged")
    key, key_tag, bound_tag = code[:SHORT_KEY_LENGTH], code[SHORT_KEY_LENGTH:-BOUND_TAG], code[-BOUND_TAG:]
    if not hmac.compare_digest(key_tag, _tag(key, length=KEY_TAG)):
        raise LinkInvalid("forged")
    query = select(Registration).where(Registration.short_key == key).options(_WITH_MEETING)
    registration = db.session.scalar(query)
    if registration is None:
        raise LinkInvalid("expired")  # a genuine key whose sign-up is deleted
    if not hmac.compare_digest(bound_tag, _tag(key, registration.manage_key, length=BOUND_TAG)):
        raise LinkInvalid("forged")  # made with a manage key since replaced (or the tag was altered)
    return _live(registration, registration.manage_key)
