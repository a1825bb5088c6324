"""StaffUser (with roles and second factor), RecoveryCode, PendingEnrolment and AuditEvent (who did what, when)."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db

#: starts the stored "hash" of a user who has not chosen a password yet: no password matches it (argon2 refuses it
#: as a hash), and its random rest changes with each set-password link sent, so that only the newest link works
NO_PASSWORD = "!"


@cache
def _hasher():
    """argon2id with the library's current recommended parameters; argon2 is imported at the first login, as a
    worker serving only citizens never needs it (issue 18)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def _verified(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not-a-real-password")


def spend_password_check_time(password: str) -> None:
    """Verify against a throw-away hash, so that an unknown e-mail takes as long as a wrong password."""
    _verified(_dummy_hash(), password)


class StaffUser(UserMixin, db.Model):
    """A member of staff. Never deleted (the audit log points at it): deactivated instead."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-case; the login name
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    #: admin, meeting_host or analyst
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the TOTP secret (base32), set when enrolment was confirmed; None: the user must enrol at the next login
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    #: the last accepted TOTP time step (unix time // 30): a code is accepted once, never for a step <= this
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    #: copied into the session at login; raising it (logout, password change, second factor reset,
    #: deactivation) makes every session issued before, and every copy of its cookie, invalid
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RecoveryCode.id"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_enabled_at is not None

    @property
    def has_password(self) -> bool:
        """False for a new user until they have chosen a password from their set-password link."""
        return not self.password_hash.startswith(NO_PASSWORD)

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher().hash(password)

    def clear_password(self) -> None:
        """No password works until one is set from the newest set-password link."""
        self.password_hash = NO_PASSWORD + secrets.token_urlsafe(24)

    def check_password(self, password: str) -> bool:
        """True when the password matches; re-hashes it when the stored parameters are outdated."""
        if not self.has_password:
            spend_password_check_time(password)
            return False
        if not _verified(self.password_hash, password):
            return False
        if _hasher().check_needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def end_sessions(self) -> None:
        """Invalidate every session of this user (they all carry the old version)."""
        self.session_version = (self.session_version or 1) + 1


class RecoveryCode(db.Model):
    """A single-use code for logging in without the phone; only its salted hash is kept."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    #: 'salt$sha256-hex' of the normalised code
    code_hash: Mapped[str] = mapped_column(String(120))
    used_at: Mapped[datetime | None]

    user: Mapped[StaffUser] = relationship(back_populates="recovery_codes")


class PendingEnrolment(db.Model):
    """The second-factor secret shown to a user who is setting up their authenticator app, kept here until the
    first code from it is confirmed: never in the session cookie, which is signed but readable. Belongs to one
    half login, whose session holds only the random key; gone when the enrolment is done or its half login has
    run out of time (survey.staff.enrolment)."""

    __tablename__ = "staff_pending_enrolment"

    #: random; the half login's session holds it (a cookie that held the secret could be read by anyone who has it)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    #: the TOTP secret (base32) shown on the enrolment page
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(index=True)


class AuditEvent(db.Model):
    """Append-only record of what staff did (logins, exports, changes). Times in UTC; never secrets.

    The database refuses UPDATE and DELETE on the table (triggers in the migration); old events are removed
    only through survey.staff.audit.purge_audit_events."""

    __tablename__ = "audit_event"
    #: throttling counts recent failures per e-mail: action, target (the e-mail) and time
    __table_args__ = (Index("ix_audit_event_action_target_at", "action", "target", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer(), "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: no ON DELETE action: staff users are deactivated, never deleted, and audit rows are never updated
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    #: kept as written at the time; 'cli' for operational commands
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    #: e.g. 'login', 'login_failed', 'access_denied', 'export', 'meeting_changed'
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
