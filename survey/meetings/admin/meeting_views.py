"""Staff pages for a dialogue meeting itself: the list, create/edit/publish/cancel, the meeting's page with who
is coming, the topics sent in ahead, and the exports."""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.kernel.tables import CSV_TYPE, XLSX_TYPE, attachment
from survey.meetings import admin_bp
from survey.meetings import exports as ex
from survey.meetings.admin import STAFF, meeting_or_404, to_meeting
from survey.meetings.admin.meeting_forms import MeetingForm
from survey.meetings.bursts import BURST_GAP, signup_bursts
from survey.meetings.changes import unmet_needs
from survey.meetings.models import Meeting, Registration
from survey.meetings.services import active_registrations, cancel_meeting, seats_taken, update_meeting
from survey.meetings.sms_status import undelivered
from survey.meetings.vocabulary import NEED_PHRASES, ROLES
from survey.staff.access import role_required
from survey.staff.audit import audit

EXPORT_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}


@admin_bp.get("/")
@role_required(*STAFF)
def index():
    """Every meeting: upcoming first (soonest first), then past (latest first)."""
    counts = (
        select(
            Registration.meeting_id,
            func.sum(case((Registration.status == "confirmed", Registration.seats), else_=0)).label("taken"),
            func.count(case((Registration.status == "waitlisted", 1))).label("waiting"),
        )
        .group_by(Registration.meeting_id)
        .subquery()
    )
    query = select(Meeting, counts.c.taken, counts.c.waiting).outerjoin(counts, counts.c.meeting_id == Meeting.id)
    rows = db.session.execute(query.order_by(Meeting.starts_at, Meeting.id)).all()
    now = utcnow()
    upcoming = [row for row in rows if row.Meeting.ends_at >= now]
    past = [row for row in reversed(rows) if row.Meeting.ends_at < now]
    return render_template("meetings_admin/index.html", upcoming=upcoming, past=past)


@admin_bp.route("/ny", methods=["GET", "POST"])
@role_required(*STAFF)
def create():
    """Create a meeting; it is saved as a draft."""
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = Meeting(status="draft", **form.meeting_values())
        db.session.add(meeting)
        db.session.flush()
        audit("meeting_created", target=f"meeting:{meeting.id}", title=meeting.title)
        db.session.commit()
        flash(_("Mødet er gemt som kladde. Offentliggør det, når det er klar."), "success")
        return to_meeting(meeting)
    return render_form_page("meetings_admin/meeting_form.html", form, meeting=None)


@admin_bp.route("/<int:meeting_id>/rediger", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(meeting_id: int):
    """Change a meeting; attendees are told when time or place changes."""
    meeting = meeting_or_404(meeting_id, lock=request.method == "POST")
    if meeting.status == "cancelled":
        flash(_("Mødet er aflyst og kan ikke ændres."), "error")
        return to_meeting(meeting)
    form = MeetingForm(data=MeetingForm.data_from(meeting), seats_taken=seats_taken(meeting))
    if form.validate_on_submit():
        told = update_meeting(meeting, **form.meeting_values())
        audit("meeting_changed", target=f"meeting:{meeting.id}", attendees_told=told)
        db.session.commit()
        flash(_("Ændringerne er gemt. De tilmeldte har fået besked.") if told else _("Ændringerne er gemt."), "success")
        return to_meeting(meeting)
    told_count = len(active_registrations(meeting)) if meeting.status == "published" else 0
    return render_form_page("meetings_admin/meeting_form.html", form, meeting=meeting, told_count=told_count)


@admin_bp.post("/<int:meeting_id>/offentliggoer")
@role_required(*STAFF)
def publish(meeting_id: int):
    """Publish a draft: it appears on the public list and people can sign up."""
    meeting = meeting_or_404(meeting_id)
    try:
        meeting.publish()
    except ValueError:
        flash(_("Kun en kladde kan offentliggøres."), "error")
        return to_meeting(meeting)
    audit("meeting_published", target=f"meeting:{meeting.id}")
    db.session.commit()
    flash(_("Mødet er offentliggjort."), "success")
    return to_meeting(meeting)


@admin_bp.route("/<int:meeting_id>/aflys", methods=["GET", "POST"])
@role_required(*STAFF)
def cancel(meeting_id: int):
    """Cancel the meeting after a confirmation page; everyone signed up is told."""
    meeting = meeting_or_404(meeting_id, lock=request.method == "POST")
    if meeting.status == "cancelled":
        flash(_("Mødet er allerede aflyst."), "info")
        return to_meeting(meeting)
    told = len(active_registrations(meeting)) if meeting.status == "published" else 0
    if request.method == "POST":
        cancel_meeting(meeting)
        audit("meeting_cancelled", target=f"meeting:{meeting.id}", attendees_told=told)
        db.session.commit()
        flash(_("Mødet er aflyst. %(n)d tilmeldte har fået besked.", n=told), "success")
        return to_meeting(meeting)
    return render_template("meetings_admin/cancel_meeting.html", meeting=meeting, told=told)


@admin_bp.get("/<int:meeting_id>")
@role_required(*STAFF)
def show(meeting_id: int):
    """A meeting with who is coming: needs summary, attendees, waiting list, cancelled sign-ups."""
    meeting = meeting_or_404(meeting_id)
    found = ex.attendees(meeting)
    return render_template(
        "meetings_admin/show.html",
        meeting=meeting,
        found=found,
        summary=ex.needs_summary(found.confirmed),
        taken=seats_taken(meeting),
        need_labels=ex.need_labels,
        role_labels=ROLES,
        bursts=signup_bursts(meeting),
        burst_minutes=int(BURST_GAP.total_seconds() // 60),
        undelivered=undelivered(meeting),
        need_phrases=NEED_PHRASES,
        unmet=[(r, unmet_needs(r, meeting)) for r in found.confirmed + [r for _n, r in found.waitlisted]],
    )


@admin_bp.get("/<int:meeting_id>/emner")
@role_required(*STAFF)
def topics(meeting_id: int):
    """Questions and topics sent in ahead, by focus area, without names."""
    meeting = meeting_or_404(meeting_id)
    return render_template("meetings_admin/topics.html", meeting=meeting, groups=ex.topics_by_focus_area(meeting))


@admin_bp.get("/<int:meeting_id>/deltagere.<fmt>")
@role_required(*STAFF)
def export_attendees(meeting_id: int, fmt: str):
    """The attendee list as CSV or XLSX (logged)."""
    meeting = meeting_or_404(meeting_id)
    return _download(meeting, "attendees", fmt, ex.attendees_file)


@admin_bp.get("/<int:meeting_id>/emner.<fmt>")
@role_required(*STAFF)
def export_topics(meeting_id: int, fmt: str):
    """The topics as CSV or XLSX (logged)."""
    meeting = meeting_or_404(meeting_id)
    return _download(meeting, "topics", fmt, ex.topics_file)


def _download(meeting: Meeting, what: str, fmt: str, build) -> Response:
    """Build the file, log the export, then hand it over; never kept in a cache."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    content = build(meeting, fmt)
    audit("export", target=f"meeting:{meeting.id}", format=fmt, what=what)
    db.session.commit()
    name = {"attendees": "deltagere", "topics": "emner"}[what]
    return attachment(content, EXPORT_TYPES[fmt], f"{name}-moede-{meeting.id}.{fmt}")
