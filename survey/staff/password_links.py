"""The set-password link a new staff user gets by mail: signed, valid for STAFF_PASSWORD_LINK_HOURS, and single-use.

The token names the user and a fingerprint of their stored password state. Choosing a password changes that
state, and so does sending a newer link (survey.staff.models.StaffUser.clear_password), so a link works once
and only the newest one works; nothing about the link is stored."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from survey.kernel import clock, outbox
from survey.kernel.extensions import db
from survey.kernel.outbox import Message, Recipient
from survey.kernel.urls import public_url
from survey.staff.models import StaffUser

SALT = "staff-set-password"
TEMPLATE = "staff_password_link"
#: staff work in Danish; the mail is too
LANGUAGE = "da"


class LinkInvalid(Exception):
    """`reason`: 'forged' (bad signature, unknown user), 'expired', 'used' (a password has been chosen since),
    'replaced' (a newer link was sent), 'inactive' (the user is deactivated)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["STAFF_PASSWORD_LINK_HOURS"])


class _ClockSigner(TimestampSigner):
    """Signs and checks ages by the app's clock (survey.kernel.clock), like every other time limit of ours."""

    def get_timestamp(self) -> int:
        return clock.timestamp()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner)


def _fingerprint(user: StaffUser) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def token(user: StaffUser) -> str:
    return _serializer().dumps([user.id, _fingerprint(user)])


def user_for_token(value: str) -> StaffUser:
    """The user whose set-password link this is, while it still works; raises LinkInvalid."""
    try:
        user_id, fingerprint = _serializer().loads(value, max_age=int(lifetime().total_seconds()))
    except SignatureExpired as error:
        raise LinkInvalid("expired") from error
    except (BadSignature, ValueError, TypeError) as error:
        raise LinkInvalid("forged") from error
    user = db.session.get(StaffUser, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise LinkInvalid("forged")
    if not user.active:
        raise LinkInvalid("inactive")
    if fingerprint != _fingerprint(user):
        raise LinkInvalid("used" if user.has_password else "replaced")
    return user


def send(user: StaffUser) -> None:
    """Queue the mail with a link for the user's current password state (sent after the commit)."""
    hours = current_app.config["STAFF_PASSWORD_LINK_HOURS"]
    context = {
        "name": user.name or user.email,
        "url": public_url("staff.set_password", token=token(user)),
        "hours": hours,
        "login_url": public_url("staff.login"),
        "sender": current_app.config["MUNICIPALITY_NAME"] or "Borgerdialog",
    }
    with force_locale(LANGUAGE):
        subject = _("Vælg din adgangskode til Borgerdialog")
    outbox.queue(Message(Recipient(email=user.email), TEMPLATE, subject, context, LANGUAGE))
