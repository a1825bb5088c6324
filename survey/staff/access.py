"""Who may open a staff page: logged in, and in one of the view's roles."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user

from survey.extensions import db, login_manager
from survey.staff.models import StaffUser


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    return db.session.get(StaffUser, int(user_id)) if user_id.isdigit() else None


def role_required(*roles: str):
    """Staff only: anonymous users go to the login page, users without one of `roles` get 403 (audited)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                from survey.staff.services import audit

                audit("access_denied", target=request.path, role=current_user.role)
                db.session.commit()
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # read by the test that walks every route
        return wrapper

    return decorate
