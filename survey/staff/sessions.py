"""Staff sessions: half logged in after the password, fully after the second factor, and their limits.

Flask keeps the session in a signed cookie. What makes a session end on the server is the user's
session_version: it is copied into the session at login and compared on every request by the user loader, so
logging out (or a password change, a second factor reset, deactivation) makes every copy of the cookie worthless.
Idle and absolute time limits are checked on every request from the times kept in the session."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.staff import enrolment
from survey.staff.models import StaffUser
from survey.staff.redirects import safe_next

#: the half-login marker: {"user": id, "since": unix time, "next": path, "version": session_version}, and while
#: enrolling "enrolment": the key of its PendingEnrolment (never the secret itself: the cookie is readable)
PENDING = "staff_pending"
VERSION = "staff_version"
LOGIN_AT = "staff_login_at"
SEEN_AT = "staff_seen_at"
#: how long the second step may take after the password was accepted
PENDING_SECONDS = 5 * 60


def begin_half_login(user: StaffUser, next_path: str) -> None:
    """After the password: a new session that knows only who is half logged in, and since when."""
    session.clear()  # a new session at login: nothing from before carries over
    session[PENDING] = {
        "user": user.id,
        "since": clock.timestamp(),
        "next": next_path,
        "version": user.session_version,
    }


def pending_marker() -> dict | None:
    return session.get(PENDING)


def pending_user() -> StaffUser | None:
    """The user who passed the password step less than 5 minutes ago in this session, else None."""
    marker = session.get(PENDING)
    if not marker or clock.timestamp() - marker.get("since", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(StaffUser, marker.get("user"))
    if user is None or not user.active or user.session_version != marker.get("version"):
        return None
    return user


def pending_expired() -> bool:
    """Whether this session holds a half login that has run out of time."""
    marker = session.get(PENDING)
    return bool(marker) and clock.timestamp() - marker.get("since", 0) > PENDING_SECONDS


def complete_login(user: StaffUser) -> str:
    """After the second factor: a new session, fully logged in. Returns where to go next."""
    next_path = safe_next((session.get(PENDING) or {}).get("next"))  # checked again: a cookie from before a fix
    session.clear()
    # the new session gets a CSRF token of its own; the one made earlier in this request would be refused on the
    # next form (the logout button on the page that shows the recovery codes)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(user)
    now = clock.timestamp()
    session[VERSION] = user.session_version
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    return next_path


def version_matches(user: StaffUser) -> bool:
    """Whether the session was issued for the user's current session_version (checked by the user loader)."""
    return session.get(VERSION) == user.session_version


def keep_after_password_change(user: StaffUser) -> None:
    """The user changed their own password: every other session ends, this one goes on under the new version."""
    session[VERSION] = user.session_version


def end_session() -> None:
    logout_user()
    session.clear()


def expiry_reason() -> str | None:
    """'idle' or 'absolute' when the logged-in session has run past a limit, else None."""
    now = clock.timestamp()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return "absolute"  # a session without its times was not made by complete_login
    if now - login_at > current_app.config["STAFF_ABSOLUTE_HOURS"] * 3600:
        return "absolute"
    if now - seen_at > current_app.config["STAFF_IDLE_MINUTES"] * 60:
        return "idle"
    return None


EXPIRED_MESSAGES = {
    "idle": lambda minutes, _hours: _(
        "Du er blevet logget ud, fordi du ikke har brugt siden i %(minutes)d minutter. Log ind igen.",
        minutes=minutes,
    ),
    "absolute": lambda _minutes, hours: _(
        "Du er blevet logget ud, fordi du har været logget ind i %(hours)d timer. Log ind igen.", hours=hours
    ),
}


def enforce_limits():
    """Before every request with a staff session: end it when idle or too old (audited), else note the time."""
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    reason = expiry_reason()
    if reason is None:
        session[SEEN_AT] = clock.timestamp()
        return None
    from survey.staff.audit import audit

    user_id = session.get("_user_id")
    user = db.session.get(StaffUser, int(user_id)) if str(user_id).isdigit() else None
    if user is not None and version_matches(user):  # a session that logout had already ended is not news
        audit("session_expired", target=user.email, actor=user, reason=reason)
        db.session.commit()
    end_session()
    config = current_app.config
    flash(EXPIRED_MESSAGES[reason](config["STAFF_IDLE_MINUTES"], config["STAFF_ABSOLUTE_HOURS"]), "info")
    if (request.path + "/").startswith("/personale/"):
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("staff.login", next=back))
    return None


def enrolment_secret(user: StaffUser, new_secret) -> str:
    """The secret shown while enrolling: made once per half login and kept on the server until the enrolment is
    done (survey.staff.enrolment); the session holds only its random key, so a reload (or a second tab) shows the
    same secret and a login elsewhere gets its own. Only flushes."""
    marker = session[PENDING]
    lifetime = timedelta(seconds=PENDING_SECONDS)
    key, secret = enrolment.pending_secret(user, marker.get("enrolment"), lifetime, new_secret)
    if marker.get("enrolment") != key or "secret" in marker:
        marker["enrolment"] = key
        marker.pop("secret", None)  # a session from before the secret moved to the server
        session.modified = True  # a change inside the dict is not noticed by itself
    return secret


def forget_enrolment() -> None:
    """The half login is over: its pending enrolment goes with it. Only flushes."""
    enrolment.forget((session.get(PENDING) or {}).get("enrolment"))
