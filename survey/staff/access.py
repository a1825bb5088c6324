"""Who may open a staff page: fully logged in (password and second factor), and in one of the view's roles."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.kernel.extensions import db, login_manager
from survey.staff import sessions
from survey.staff.models import StaffUser


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The logged-in user, only while active and while the session carries their current session_version."""
    user = db.session.get(StaffUser, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or not sessions.version_matches(user):
        return None
    return user


def role_required(*roles: str):
    """Staff only: anonymous users go to the login page (half logged-in ones to their second step), users
    without one of `roles` get 403 (audited)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if sessions.pending_user() is not None:
                    return redirect(url_for("staff.second_factor"))
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                from survey.staff.audit import audit

                audit("access_denied", target=request.path, role=current_user.role)
                db.session.commit()
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # read by the test that walks every route
        return wrapper

    return decorate


def half_login_required(view):
    """The second step of the login: only for a session whose password step passed less than 5 minutes ago."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_authenticated:
            return redirect(url_for("staff.home"))
        g.pending_user = sessions.pending_user()
        if g.pending_user is None:
            expired = sessions.pending_expired()
            sessions.forget_enrolment()
            db.session.commit()
            sessions.end_session()
            if expired:
                flash(_("Det tog for lang tid. Log ind igen."), "info")
            return redirect(url_for("staff.login"))
        return view(*args, **kwargs)

    wrapper.login_step = True  # read by the test that walks every route
    return wrapper
