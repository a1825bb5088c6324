"""Staff accounts: creating and changing them, checking logins, and throttling guesses."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from survey.kernel import clock, roles
from survey.kernel.extensions import db
from survey.staff import enrolment, password_links, throttling, totp
from survey.staff.audit import audit, audit_cli
from survey.staff.models import AuditEvent, StaffUser, spend_password_check_time
from survey.staff.passwords import password_problem
from survey.staff.throttling import PASSWORD, SECOND_FACTOR, LoginLocked

__all__ = ["LoginLocked", "audit", "audit_cli", "authenticate", "create_staff", "find_staff", "normalise_email"]

#: wrong current passwords on the password change (a logged-in user) within FAILURE_WINDOW that lock it for as long
FAILURE_LIMIT = 10
FAILURE_WINDOW = timedelta(minutes=15)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_staff(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


def create_staff(email: str, role: str, password: str, name: str = "") -> StaffUser:
    """A new staff user; audited when run from the CLI. Only flushes."""
    email = normalise_email(email)
    if role not in roles.ROLES:
        raise ValueError(f"ukendt rolle {role!r}; vælg en af {', '.join(roles.ROLES)}")
    if problem := password_problem(password, email):
        raise ValueError(problem)
    if find_staff(email) is not None:
        raise ValueError(f"der findes allerede en medarbejder med e-mail {email}")
    user = StaffUser(email=email, role=role, name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def recent_failures(action: str, email: str) -> int:
    """Failed attempts of `action` for `email` within FAILURE_WINDOW, counted in the audit log (so every app
    server sees the same count without any state of its own)."""
    since = clock.utcnow() - FAILURE_WINDOW
    query = select(func.count()).where(AuditEvent.action == action, AuditEvent.target == email, AuditEvent.at >= since)
    return db.session.scalar(query)


def authenticate(email: str, password: str, address: str) -> StaffUser | None:
    """The active user with this e-mail and password, else None; every outcome is audited (the e-mail as typed
    and the client address, never the password). Raises LoginLocked while the e-mail is locked from `address` or
    everywhere (survey.staff.throttling), the same whether or not the account exists. Only flushes."""
    email = normalise_email(email)[:200]
    throttling.check(PASSWORD, email, address)
    user = find_staff(email)
    if user is None:
        spend_password_check_time(password)
    ok = user is not None and user.active and user.check_password(password)
    if ok:
        audit("login_password_ok", target=email, actor=user, address=throttling.client_key(address))
        return user
    throttling.failed(PASSWORD, email, address)
    return None


def check_second_factor(user: StaffUser, code: str, address: str) -> str | None:
    """'totp' or 'recovery_code' when `code` is the user's current TOTP code or an unused recovery code, else
    None; audited. Raises LoginLocked after too many wrong codes from `address`, or from anywhere (the same
    limits as the password step). Only flushes."""
    throttling.check(SECOND_FACTOR, user.email, address, actor=user)
    method = None
    if totp.looks_like_totp(code):
        method = "totp" if totp.verify_totp(user, code) else None
    elif totp.use_recovery_code(user, code):
        method = "recovery_code"
        audit("recovery_code_used", target=user.email, actor=user, left=totp.unused_recovery_codes(user))
    if method is None:
        throttling.failed(SECOND_FACTOR, user.email, address, actor=user)
    else:
        audit("second_factor_ok", target=user.email, actor=user, method=method)
        audit("login", target=user.email, actor=user)
    return method


def confirm_enrolment(user: StaffUser, secret: str, code: str, address: str) -> list[str] | None:
    """Make `secret` the user's second factor when `code` comes from it; returns the new recovery codes (to be
    shown once), else None. Audited; wrong codes count towards the lock like wrong login codes. Only flushes."""
    throttling.check(SECOND_FACTOR, user.email, address, actor=user)
    if not totp.verify_totp(user, code, secret=secret):
        throttling.failed(SECOND_FACTOR, user.email, address, actor=user, enrolment=True)
        return None
    recovery_codes = totp.enable(user, secret)
    enrolment.finish(user)
    audit("second_factor_enrolled", target=user.email, actor=user)
    audit("login", target=user.email, actor=user)
    return recovery_codes


def change_own_password(user: StaffUser, new_password: str) -> None:
    """The user's new password (already checked); every other session of theirs ends. Only flushes."""
    user.set_password(new_password)
    user.end_sessions()
    audit("password_changed", target=user.email, actor=user)


def logout(user: StaffUser) -> None:
    """End every session of the user (a copied cookie included). Only flushes."""
    user.end_sessions()
    audit("logout", target=user.email, actor=user)


# Changes an administrator makes, on the users pages (`by`: the admin) or from the command line (`flask staff …`,
# no `by`: audited with actor "cli"). One set of rules for both.


def _record(action: str, user: StaffUser, by: StaffUser | None, **detail) -> None:
    if by is None:
        audit_cli(action, target=user.email, **detail)
    else:
        audit(action, target=user.email, actor=by, **detail)


def _check_role(role: str) -> None:
    if role not in roles.ROLES:
        raise ValueError(f"ukendt rolle {role!r}; vælg en af {', '.join(roles.ROLES)}")


def _keep_an_admin(user: StaffUser) -> None:
    """Refuse to take away the last active administrator: nobody could manage users in the browser any more."""
    if user.role != "admin" or not user.active:
        return
    admins = select(func.count()).where(StaffUser.role == "admin", StaffUser.active.is_(True))
    if db.session.scalar(admins) <= 1:
        raise ValueError(_("Der skal være mindst én aktiv administrator."))


def cli_create_staff(email: str, role: str, password: str, name: str = "") -> StaffUser:
    user = create_staff(email, role, password, name)
    audit_cli("user_created", target=user.email, role=role)
    return user


def invite_staff(email: str, role: str, name: str, by: StaffUser) -> StaffUser:
    """A new staff user without a password: a single-use link to choose one is mailed to them (after the
    commit). Audited. Only flushes."""
    email = normalise_email(email)
    _check_role(role)
    if find_staff(email) is not None:
        raise ValueError(_("Der findes allerede en medarbejder med den e-mailadresse."))
    user = StaffUser(email=email, role=role, name=name)
    user.clear_password()
    db.session.add(user)
    db.session.flush()
    _record("user_created", user, by, role=role)
    send_password_link(user, by)
    return user


def send_password_link(user: StaffUser, by: StaffUser | None = None) -> None:
    """Mail a new set-password link to a user who has not chosen a password yet; every earlier link of theirs
    stops working. Audited. Only flushes."""
    if user.has_password:
        raise ValueError(_("Medarbejderen har allerede valgt en adgangskode."))
    if not user.active:
        raise ValueError(_("Medarbejderen er deaktiveret."))
    user.clear_password()
    password_links.send(user)
    _record("password_link_sent", user, by)


def set_password_from_link(user: StaffUser, password: str) -> None:
    """The password chosen from a set-password link (already checked): the link dies with the old state. Only
    flushes."""
    user.set_password(password)
    user.end_sessions()
    audit("password_set_from_link", target=user.email, actor=user)


def deactivate(user: StaffUser, by: StaffUser | None = None) -> None:
    """The user can no longer log in, and their sessions end at once. Only flushes."""
    if by is not None and by.id == user.id:
        raise ValueError(_("Du kan ikke deaktivere dig selv."))
    _keep_an_admin(user)
    user.active = False
    user.end_sessions()
    _record("user_deactivated", user, by)


def reactivate(user: StaffUser, by: StaffUser | None = None) -> None:
    user.active = True
    _record("user_reactivated", user, by)


def change_role(user: StaffUser, role: str, by: StaffUser | None = None) -> None:
    """Give the user another role; an admin cannot change their own, and the last active admin stays one."""
    _check_role(role)
    if role == user.role:
        return
    if by is not None and by.id == user.id:
        raise ValueError(_("Du kan ikke ændre din egen rolle."))
    _keep_an_admin(user)
    _record("role_changed", user, by, old=user.role, new=role)
    user.role = role


def reset_password(user: StaffUser, password: str) -> None:
    """A new password set by an administrator (a forgotten one); the user's sessions end. Only flushes."""
    if problem := password_problem(password, user.email):
        raise ValueError(problem)
    user.set_password(password)
    user.end_sessions()
    audit_cli("password_changed", target=user.email)


def reset_second_factor(user: StaffUser, by: StaffUser | None = None) -> None:
    """A lost phone: the second factor and recovery codes are removed; the user enrols again at the next login
    (with their password), and their sessions end. Not one's own from the pages (it would end one's session).
    Only flushes."""
    if by is not None and by.id == user.id:
        raise ValueError(_("Du kan ikke nulstille din egen totrinsbekræftelse."))
    totp.reset(user)
    _record("second_factor_reset", user, by)


def staff_users() -> list[StaffUser]:
    """Every staff user: active ones first, then by e-mail."""
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.email)))


def last_logins() -> dict[str, datetime]:
    """Each user's latest completed login (naive UTC), by e-mail, as the audit log remembers it (it keeps
    AUDIT_RETENTION_DAYS, so an older login is not known)."""
    query = select(AuditEvent.target, func.max(AuditEvent.at)).where(AuditEvent.action == "login")
    return {email: at for email, at in db.session.execute(query.group_by(AuditEvent.target))}
