"""Staff login, logout and the staff front page."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from survey.extensions import db
from survey.rendering import render_form_page
from survey.staff import bp
from survey.staff.access import role_required
from survey.staff.forms import LoginForm
from survey.staff.models import ROLES, AuditEvent
from survey.staff.services import audit, authenticate


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never send a freshly logged-in user somewhere else."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("staff.home")


@bp.route("/log-ind", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is not None:
            session.clear()  # a new session at login: nothing from before carries over
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("E-mail eller adgangskode er forkert"))
    return render_form_page("staff/login.html", form)


@bp.post("/log-ud")
@role_required(*ROLES)
def logout():
    """End the session."""
    audit("logout")
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("staff.login"))


@bp.get("/")
@role_required(*ROLES)
def home():
    """The staff front page: what this role can do."""
    return render_template("staff/home.html", user=current_user)


@bp.get("/log")
@role_required("admin")
def audit_log():
    """The audit log, newest first, optionally filtered by action."""
    action = request.args.get("handling", "")
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(500)
    if action:
        query = query.where(AuditEvent.action == action)
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template(
        "staff/audit_log.html", events=db.session.scalars(query).all(), actions=actions, action=action
    )
