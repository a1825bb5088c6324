"""StaffUser (with roles) and AuditEvent (who did what, when)."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import db
from survey.models import utcnow

ROLES = ("admin", "meeting_host", "analyst")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_dummy_hash: list[str] = []


def spend_password_check_time(password: str) -> None:
    """Verify against a throw-away hash, so that an unknown e-mail takes as long as a wrong password."""
    if not _dummy_hash:
        _dummy_hash.append(_hasher.hash("not-a-real-password"))
    with suppress(VerificationError):
        _hasher.verify(_dummy_hash[0], password)


class StaffUser(UserMixin, db.Model):
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

    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches; re-hashes it when the stored parameters are outdated."""
        try:
            _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class AuditEvent(db.Model):
    """Append-only record of what staff did (logins, exports, changes). Times in UTC; never secrets."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer(), "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    #: kept as written at the time, so the record survives the user being deleted
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    #: e.g. 'login', 'login_failed', 'access_denied', 'export', 'meeting_changed'
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
