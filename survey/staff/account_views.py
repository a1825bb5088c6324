"""What a logged-in staff member changes about their own account."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.staff import bp, sessions
from survey.staff.access import role_required
from survey.staff.audit import audit
from survey.staff.forms import PasswordChangeForm
from survey.staff.services import FAILURE_LIMIT, change_own_password, recent_failures


@bp.route("/adgangskode", methods=["GET", "POST"])
@role_required(*roles.EVERYONE)
def change_password():
    """Change one's own password (the current one is asked for); every other session ends."""
    user = current_user._get_current_object()
    form = PasswordChangeForm(user)
    if form.is_submitted() and recent_failures("password_change_failed", user.email) >= FAILURE_LIMIT:
        form.current.errors = [_("For mange forkerte forsøg. Vent 15 minutter, og prøv igen.")]
    elif form.validate_on_submit():
        change_own_password(user, form.new.data)
        db.session.commit()
        sessions.keep_after_password_change(user)
        flash(_("Din adgangskode er skiftet. Du er logget ud alle andre steder."), "success")
        return redirect(url_for(".home"))
    elif form.current.errors and form.current.data:
        audit("password_change_failed", target=user.email)
        db.session.commit()
    return render_form_page("staff/password.html", form)
