"""Staff pages for a meeting's sign-ups: seats held, a sign-up taken by phone, cancelling one or several, and
check-in on the day."""

from __future__ import annotations

from contextlib import suppress

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from survey.kernel.converters import whole_number
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.meetings import admin_bp
from survey.meetings import exports as ex
from survey.meetings.admin import STAFF, meeting_or_404, to_meeting
from survey.meetings.admin.registration_forms import ReserveSeatsForm, StaffSignupForm
from survey.meetings.models import Meeting, Registration
from survey.meetings.services import (
    DuplicateSignup,
    NotEnoughSeats,
    SignupRefused,
    cancel_registration,
    cancel_registrations,
    register_for_meeting,
    reserve_seats,
    seats_free,
    waitlist_position,
)
from survey.staff.access import role_required
from survey.staff.audit import audit

REFUSED = {
    "draft": _l("Mødet er en kladde. Der kan ikke tilmeldes, før det er offentliggjort."),
    "cancelled": _l("Mødet er aflyst. Der kan ikke tilmeldes."),
    "past": _l("Mødet er afholdt. Der kan ikke tilmeldes."),
}
#: the most sign-ups one confirmation page takes (more than any meeting holds)
MAX_CHOSEN = 2000


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


@admin_bp.route("/<int:meeting_id>/reserver", methods=["GET", "POST"])
@role_required(*STAFF)
def reserve(meeting_id: int):
    """Hold seats for people staff will invite."""
    meeting = meeting_or_404(meeting_id, lock=request.method == "POST")
    form = ReserveSeatsForm()
    if form.validate_on_submit():
        try:
            registration = reserve_seats(meeting.id, form.label.data, form.seats.data)
        except SignupRefused as refused:  # a cancelled or past meeting holds no seats
            flash(REFUSED.get(refused.reason, _("Der kan ikke tilmeldes mødet.")), "error")
            return to_meeting(meeting)
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
            return to_meeting(meeting, "tilmeldte")
    return render_form_page("meetings_admin/reserve.html", form, meeting=meeting, free=seats_free(meeting))


@admin_bp.route("/<int:meeting_id>/tilmeld", methods=["GET", "POST"])
@role_required(*STAFF)
def add_registration(meeting_id: int):
    """Sign someone up on their behalf, e.g. a citizen who phoned in (also after the deadline)."""
    meeting = meeting_or_404(meeting_id, lock=request.method == "POST")
    if meeting.registration_state() in REFUSED:
        flash(REFUSED[meeting.registration_state()], "error")
        return to_meeting(meeting)
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
            return to_meeting(meeting)
        else:
            audit("registration_added", target=f"meeting:{meeting.id}", registration=registration.id)
            db.session.commit()
            flash(_added_message(registration), "success")
            return to_meeting(meeting, "tilmeldte")
    return render_form_page("meetings_admin/add_registration.html", form, meeting=meeting, free=seats_free(meeting))


@admin_bp.route("/<int:meeting_id>/tilmeldinger/<int:registration_id>/afmeld", methods=["GET", "POST"])
@role_required(*STAFF)
def cancel_signup(meeting_id: int, registration_id: int):
    """Cancel a sign-up after a confirmation page; the waiting list moves up."""
    meeting = meeting_or_404(meeting_id, lock=request.method == "POST")
    registration = _registration(meeting, registration_id)
    if registration.status == "cancelled":
        flash(_("Tilmeldingen er allerede afmeldt."), "info")
        return to_meeting(meeting)
    if request.method == "POST":
        promoted = cancel_registration(registration)
        audit("registration_cancelled", target=f"meeting:{meeting.id}", registration=registration.id)
        db.session.commit()
        flash(_cancelled_message(registration, promoted), "success")
        return to_meeting(meeting, "tilmeldte")
    return render_template("meetings_admin/cancel_registration.html", meeting=meeting, registration=registration)


@admin_bp.route("/<int:meeting_id>/tilmeldinger/afmeld", methods=["GET", "POST"])
@role_required(*STAFF)
def cancel_signups(meeting_id: int):
    """Cancel several sign-ups at once (ticked on the meeting page, e.g. a burst) after a confirmation page."""
    meeting = meeting_or_404(meeting_id, lock=request.method == "POST")
    chosen = _chosen(meeting, (request.form if request.method == "POST" else request.args).getlist("id"))
    if not chosen:
        flash(_("Sæt kryds ved de tilmeldinger, du vil afmelde."), "error")
        return to_meeting(meeting, "hurtige-tilmeldinger")
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
    return to_meeting(meeting, "tilmeldte")


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
    meeting = meeting_or_404(meeting_id)
    confirmed = ex.attendees(meeting).confirmed
    return render_template(
        "meetings_admin/checkin.html", meeting=meeting, confirmed=confirmed, need_labels=ex.need_labels
    )


@admin_bp.post("/<int:meeting_id>/indtjekning/<int:registration_id>")
@role_required(*STAFF)
def set_attended(meeting_id: int, registration_id: int):
    """Mark one sign-up as attended or not (the button sends the new state, so a double tap does no harm)."""
    meeting = meeting_or_404(meeting_id)
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
