"""The staff front page and the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.staff import bp
from survey.staff.access import role_required
from survey.staff.forms import AuditFilterForm
from survey.staff.home import panels_for
from survey.staff.models import AuditEvent
from survey.staff.services import normalise_email

#: the log page shows at most this many events, newest first; the filters narrow it down
AUDIT_PAGE_SIZE = 500


@bp.get("/")
@role_required(*roles.EVERYONE)
def home():
    """The staff front page: what this role can do, and the panels registered for it (staff.home)."""
    return render_template("staff/home.html", user=current_user, panels=panels_for(current_user))


@bp.get("/log")
@role_required(*roles.ADMINS)
def audit_log():
    """The audit log, newest first, filtered by action, e-mail and date range (UTC days)."""
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    form = AuditFilterForm(formdata=_args_or_none())
    form.handling.choices = [("", _("Alle"))] + [(name, name) for name in actions]
    valid = form.validate()
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE_SIZE)
    if valid:
        query = _filtered(query, form)
    events = db.session.scalars(query).all() if valid else []
    errors = form.error_list() if form.errors else []
    html = render_template(
        "staff/audit_log.html",
        form=form,
        events=events,
        errors=errors,
        has_errors=bool(errors),
        page_size=AUDIT_PAGE_SIZE,
    )
    return html, 400 if errors else 200


def _args_or_none():
    """The query string, or None for the unfiltered first visit (so that no field reports an error)."""
    return request.args if request.args else None


def _filtered(query, form: AuditFilterForm):
    if form.handling.data:
        query = query.where(AuditEvent.action == form.handling.data)
    if email := normalise_email(form.email.data):
        # what the person did, and what was tried in their name (failed logins carry the typed e-mail)
        query = query.where(or_(AuditEvent.actor_email == email, AuditEvent.target == email))
    if form.fra.data:
        query = query.where(AuditEvent.at >= datetime.combine(form.fra.data, time.min))
    if form.til.data:
        query = query.where(AuditEvent.at < datetime.combine(form.til.data + timedelta(days=1), time.min))
    return query
