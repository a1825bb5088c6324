"""Staff pages for dialogue meetings: list, create/edit/publish/cancel, attendees, check-in, topics, exports."""

from __future__ import annotations

from contextlib import suppress

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import case, func, select

from survey.kernel.clock import utcnow
from survey.kernel.converters import whole_number
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.kernel.tables import CSV_TYPE, XLSX_TYPE, attachment
from survey.meetings import admin_bp
from survey.meetings import exports as ex
from survey.meetings.admin_forms import MeetingForm, ReserveSeatsForm, StaffSignupForm
from survey.meetings.bursts import BURST_GAP, signup_bursts
from survey.meetings.models import Meeting, Registration
from survey.meetings.services import (
    DuplicateSignup,
    NotEnoughSeats,
    SignupRefused,
    active_registrations,
    cancel_meeting,
    cancel_registration,
    cancel_registrations,
    lock_meeting,
    register_for_meeting,
    reserve_seats,
    seats_free,
    seats_taken,
    update_meeting,
    waitlist_position,
)
from survey.meetings.vocabulary import ROLES
from survey.staff.access import role_required
from survey.staff.services import audit

STAFF = ("admin", "meeting_host")
REFUSED = {
    "draft": _l("Mødet er en kladde. Der kan ikke tilmeldes, før det er offentliggjort."),
    "cancelled": _l("Mødet er aflyst. Der kan ikke tilmeldes."),
    "past": _l("Mødet er afholdt. Der kan ikke tilmeldes."),
}
EXPORT_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}
#: the most sign-ups one confirmation page takes (more than any meeting holds)
MAX_CHOSEN = 2000


def _meeting(meeting_id: int, lock: bool = False) -> Meeting:
    """The meeting or 404; row-locked when the request is going to change seats."""
    meeting = lock_meeting(meeting_id) if lock else db.session.get(Meeting, meeting_id)
    return meeting or abort(404)


def _registration(meeting: Meeting, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.meeting_id != meeting.id:
        abort(404)
    return registration


def _added_message(registration: Registration) -> str:
    if registration.status == "confirmed":
        return _("%(name)s er tilmeldt.", name=registration.name)
    position = waitlist_position(registration)
    return _("Der er ikke plads. %(name)s står nr. %(n)d på ventelisten.", name=registration.name, n=position)


def _cancelled_message(registration: Registration, promoted: list[Registration]) -> str:
    return _("%(name)s er afmeldt.", name=registration.name) + _promoted_note(promoted)


def _promoted_note(promoted: list[Registration]) -> str:
    if not promoted:
        return ""
    names = ", ".join(r.name for r in promoted)
    return " " + _("Fra ventelisten har %(names)s fået plads og får besked.", names=names)


def _to_meeting(meeting: Meeting, anchor: str | None = None):
    return redirect(url_for(".show", meeting_id=meeting.id, _anchor=anchor))


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
        return _to_meeting(meeting)
    return render_form_page("meetings_admin/meeting_form.html", form, meeting=None)


@admin_bp.route("/<int:meeting_id>/rediger", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(meeting_id: int):
    """Change a meeting; attendees are told when time or place changes."""
    meeting = _meeting(meeting_id, lock=request.method == "POST")
    if meeting.status == "cancelled":
        flash(_("Mødet er aflyst og kan ikke ændres."), "error")
        return _to_meeting(meeting)
    form = MeetingForm(data=MeetingForm.data_from(meeting), seats_taken=seats_taken(meeting))
    if form.validate_on_submit():
        told = update_meeting(meeting, **form.meeting_values())
        audit("meeting_changed", target=f"meeting:{meeting.id}", attendees_told=told)
        db.session.commit()
        flash(_("Ændringerne er gemt. De tilmeldte har fået besked.") if told else _("Ændringerne er gemt."), "success")
        return _to_meeting(meeting)
    told_count = len(active_registrations(meeting)) if meeting.status == "published" else 0
    return render_form_page("meetings_admin/meeting_form.html", form, meeting=meeting, told_count=told_count)


@admin_bp.post("/<int:meeting_id>/offentliggoer")
@role_required(*STAFF)
def publish(meeting_id: int):
    """Publish a draft: it appears on the public list and people can sign up."""
    meeting = _meeting(meeting_id)
    try:
        meeting.publish()
    except ValueError:
        flash(_("Kun en kladde kan offentliggøres."), "error")
        return _to_meeting(meeting)
    audit("meeting_published", target=f"meeting:{meeting.id}")
    db.session.commit()
    flash(_("Mødet er offentliggjort."), "success")
    return _to_meeting(meeting)


@admin_bp.route("/<int:meeting_id>/aflys", methods=["GET", "POST"])
@role_required(*STAFF)
def cancel(meeting_id: int):
    """Cancel the meeting after a confirmation page; everyone signed up is told."""
    meeting = _meeting(meeting_id, lock=request.method == "POST")
    if meeting.status == "cancelled":
        flash(_("Mødet er allerede aflyst."), "info")
        return _to_meeting(meeting)
    told = len(active_registrations(meeting)) if meeting.status == "published" else 0
    if request.method == "POST":
        cancel_meeting(meeting)
        audit("meeting_cancelled", target=f"meeting:{meeting.id}", attendees_told=told)
        db.session.commit()
        flash(_("Mødet er aflyst. %(n)d tilmeldte har fået besked.", n=told), "success")
        return _to_meeting(meeting)
    return render_template("meetings_admin/cancel_meeting.html", meeting=meeting, told=told)


@admin_bp.get("/<int:meeting_id>")
@role_required(*STAFF)
def show(meeting_id: int):
    """A meeting with who is coming: needs summary, attendees, waiting list, cancelled sign-ups."""
    meeting = _meeting(meeting_id)
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
    )


@admin_bp.route("/<int:meeting_id>/reserver", methods=["GET", "POST"])
@role_required(*STAFF)
def reserve(meeting_id: int):
    """Hold seats for people staff will invite."""
    meeting = _meeting(meeting_id, lock=request.method == "POST")
    form = ReserveSeatsForm()
    if form.validate_on_submit():
        try:
            registration = reserve_seats(meeting.id, form.label.data, form.seats.data)
        except NotEnoughSeats:
            free = seats_free(meeting)
            form.seats.errors.append(
                ngettext(
                    "Der er kun %(num)d ledig plads. Reservér højst %(num)d.",
                    "Der er kun %(num)d ledige pladser. Reservér højst %(num)d.",
                    free,
                )
                if free
                else _("Der er ingen ledige pladser. Afmeld en tilmelding først, eller gør mødet større.")
            )
        else:
            audit("seats_reserved", target=f"meeting:{meeting.id}", registration=registration.id, seats=form.seats.data)
            db.session.commit()
            flash(
                ngettext("%(num)d plads er reserveret.", "%(num)d pladser er reserveret.", form.seats.data), "success"
            )
            return _to_meeting(meeting, "tilmeldte")
    return render_form_page("meetings_admin/reserve.html", form, meeting=meeting, free=seats_free(meeting))


@admin_bp.route("/<int:meeting_id>/tilmeld", methods=["GET", "POST"])
@role_required(*STAFF)
def add_registration(meeting_id: int):
    """Sign someone up on their behalf, e.g. a citizen who phoned in (also after the deadline)."""
    meeting = _meeting(meeting_id, lock=request.method == "POST")
    if meeting.registration_state() in REFUSED:
        flash(REFUSED[meeting.registration_state()], "error")
        return _to_meeting(meeting)
    form = StaffSignupForm()
    if form.validate_on_submit():
        try:
            registration = register_for_meeting(meeting.id, form.signup(), kind="staff_added")
        except DuplicateSignup:
            if form.email.data:
                form.email.errors.append(_("Der er allerede en tilmelding med denne e-mail til mødet"))
            else:
                form.phone.errors.append(_("Der er allerede en tilmelding med dette telefonnummer til mødet"))
        except SignupRefused as refused:
            flash(REFUSED.get(refused.reason, _("Der kan ikke tilmeldes mødet.")), "error")
            return _to_meeting(meeting)
        else:
            audit("registration_added", target=f"meeting:{meeting.id}", registration=registration.id)
            db.session.commit()
            flash(_added_message(registration), "success")
            return _to_meeting(meeting, "tilmeldte")
    return render_form_page("meetings_admin/add_registration.html", form, meeting=meeting, free=seats_free(meeting))


@admin_bp.route("/<int:meeting_id>/tilmeldinger/<int:registration_id>/afmeld", methods=["GET", "POST"])
@role_required(*STAFF)
def cancel_signup(meeting_id: int, registration_id: int):
    """Cancel a sign-up after a confirmation page; the waiting list moves up."""
    meeting = _meeting(meeting_id, lock=request.method == "POST")
    registration = _registration(meeting, registration_id)
    if registration.status == "cancelled":
        flash(_("Tilmeldingen er allerede afmeldt."), "info")
        return _to_meeting(meeting)
    if request.method == "POST":
        promoted = cancel_registration(registration)
        audit("registration_cancelled", target=f"meeting:{meeting.id}", registration=registration.id)
        db.session.commit()
        flash(_cancelled_message(registration, promoted), "success")
        return _to_meeting(meeting, "tilmeldte")
    return render_template("meetings_admin/cancel_registration.html", meeting=meeting, registration=registration)


@admin_bp.route("/<int:meeting_id>/tilmeldinger/afmeld", methods=["GET", "POST"])
@role_required(*STAFF)
def cancel_signups(meeting_id: int):
    """Cancel several sign-ups at once (ticked on the meeting page, e.g. a burst) after a confirmation page."""
    meeting = _meeting(meeting_id, lock=request.method == "POST")
    chosen = _chosen(meeting, (request.form if request.method == "POST" else request.args).getlist("id"))
    if not chosen:
        flash(_("Sæt kryds ved de tilmeldinger, du vil afmelde."), "error")
        return _to_meeting(meeting, "hurtige-tilmeldinger")
    if request.method == "GET":
        return render_template("meetings_admin/cancel_registrations.html", meeting=meeting, chosen=chosen)
    promoted = cancel_registrations(meeting, chosen)
    for registration in chosen:
        audit(
            "registration_cancelled", target=f"meeting:{meeting.id}", registration=registration.id, together=len(chosen)
        )
    db.session.commit()
    done = ngettext("%(num)d tilmelding er afmeldt.", "%(num)d tilmeldinger er afmeldt.", len(chosen))
    flash(done + _promoted_note(promoted), "success")
    return _to_meeting(meeting, "tilmeldte")


def _chosen(meeting: Meeting, values: list[str]) -> list[Registration]:
    """The live sign-ups of this meeting among the ids sent; anything else sent is left out."""
    ids = set()
    for value in values[:MAX_CHOSEN]:
        with suppress(ValueError):  # not an id (survey.kernel.converters): left out
            ids.add(whole_number(value))
    if not ids:
        return []
    query = select(Registration).where(
        Registration.meeting_id == meeting.id, Registration.id.in_(ids), Registration.status != "cancelled"
    )
    return list(db.session.scalars(query.order_by(Registration.created_at, Registration.id)))


@admin_bp.get("/<int:meeting_id>/indtjekning")
@role_required(*STAFF)
def checkin(meeting_id: int):
    """Check-in on the day, made for a tablet: one big button per confirmed sign-up."""
    meeting = _meeting(meeting_id)
    confirmed = ex.attendees(meeting).confirmed
    return render_template(
        "meetings_admin/checkin.html", meeting=meeting, confirmed=confirmed, need_labels=ex.need_labels
    )


@admin_bp.post("/<int:meeting_id>/indtjekning/<int:registration_id>")
@role_required(*STAFF)
def set_attended(meeting_id: int, registration_id: int):
    """Mark one sign-up as attended or not (the button sends the new state, so a double tap does no harm)."""
    meeting = _meeting(meeting_id)
    registration = _registration(meeting, registration_id)
    if registration.status != "confirmed":
        flash(_("Tilmeldingen er ikke længere bekræftet."), "error")
    else:
        registration.attended = request.form.get("attended") == "1"
        audit(
            "attendance_marked",
            target=f"meeting:{meeting.id}",
            registration=registration.id,
            attended=registration.attended,
        )
        db.session.commit()
    return redirect(url_for(".checkin", meeting_id=meeting.id, _anchor=f"r-{registration.id}"))


@admin_bp.get("/<int:meeting_id>/emner")
@role_required(*STAFF)
def topics(meeting_id: int):
    """Questions and topics sent in ahead, by focus area, without names."""
    meeting = _meeting(meeting_id)
    return render_template("meetings_admin/topics.html", meeting=meeting, groups=ex.topics_by_focus_area(meeting))


@admin_bp.get("/<int:meeting_id>/deltagere.<fmt>")
@role_required(*STAFF)
def export_attendees(meeting_id: int, fmt: str):
    """The attendee list as CSV or XLSX (logged)."""
    meeting = _meeting(meeting_id)
    return _download(meeting, "attendees", fmt, ex.attendees_file)


@admin_bp.get("/<int:meeting_id>/emner.<fmt>")
@role_required(*STAFF)
def export_topics(meeting_id: int, fmt: str):
    """The topics as CSV or XLSX (logged)."""
    meeting = _meeting(meeting_id)
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
