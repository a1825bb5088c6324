"""Public pages of dialogue meetings: list, meeting, sign-up, and the personal manage page."""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey.extensions import db
from survey.meetings import bp, notify, services
from survey.meetings.forms import ConfirmForm, NeedsForm, SignupForm
from survey.meetings.models import Meeting, meeting_focus_area
from survey.meetings.tokens import LinkInvalid, manage_token, registration_for_token
from survey.models import utcnow
from survey.policies.models import FocusArea
from survey.rendering import render_form_page

#: the largest id an Integer column holds; a larger number in a URL names no meeting (and SQLite cannot take it)
MAX_ID = 2**31 - 1


@bp.before_request
def no_nul_in_address():
    """An address with a NUL in it names nothing here (and PostgreSQL refuses to compare text holding one)."""
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        abort(404)


def published_meeting(meeting_id: int) -> Meeting:
    """A meeting the public may see: published or cancelled (so a shared link still explains itself)."""
    # every public meeting page names the municipality: its policy comes in the same statement
    with_policy = [joinedload(Meeting.policy, innerjoin=True)]
    meeting = db.session.get(Meeting, meeting_id, options=with_policy) if meeting_id <= MAX_ID else None
    if meeting is None or meeting.status == "draft":
        abort(404)
    return meeting


@bp.get("/")
def index():
    """Upcoming meetings, optionally only those about one focus area."""
    query = select(Meeting).where(Meeting.status == "published", Meeting.starts_at > utcnow())
    focus = request.args.get("fokus", type=int)
    if focus and 0 < focus <= MAX_ID:
        query = query.join(meeting_focus_area).where(meeting_focus_area.c.focus_area_id == focus)
    meetings = db.session.scalars(query.order_by(Meeting.starts_at)).all()
    areas = db.session.scalars(
        select(FocusArea)
        .join(meeting_focus_area)
        .join(Meeting)
        .where(Meeting.status == "published", Meeting.starts_at > utcnow())
        .distinct()
        .order_by(FocusArea.title)
    ).all()
    seats = services.seats_free_by_meeting(meetings)
    return render_template("meetings/index.html", meetings=meetings, areas=areas, focus=focus, seats=seats)


@bp.get("/<int:meeting_id>")
def meeting(meeting_id: int):
    """One meeting: what, when, where, how accessible, and the way to sign up."""
    meeting = published_meeting(meeting_id)
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        state=meeting.registration_state(),
        seats_free=services.seats_free(meeting),
    )


@bp.route("/<int:meeting_id>/tilmeld", methods=["GET", "POST"])
def signup(meeting_id: int):
    """Sign up, for oneself or on someone's behalf."""
    meeting = published_meeting(meeting_id)
    if (state := meeting.registration_state()) != "open":
        return _closed(meeting, state)
    form = SignupForm(focus_areas=meeting.focus_areas)
    if form.validate_on_submit():
        try:
            registration = services.register_for_meeting(meeting.id, _signup_from(form))
        except services.SignupRefused as refused:
            db.session.rollback()
            return _closed(meeting, refused.reason)
        except services.DuplicateSignup as duplicate:
            db.session.rollback()
            _tell_about_duplicate(form, duplicate.registration)
        else:
            # the link before the commit, which expires the registration: reading it after would begin a transaction
            manage_url = url_for(".manage", token=manage_token(registration), ny=1)
            db.session.commit()
            return redirect(manage_url)
    return render_form_page("meetings/signup.html", form, meeting=meeting, seats_free=services.seats_free(meeting))


def _tell_about_duplicate(form: SignupForm, registration) -> None:
    """Already signed up: send the manage link again (by e-mail), never a second sign-up."""
    if registration.email:
        notify.manage_link_resent(registration)
        db.session.commit()
        form.email.errors.append(_("Du er allerede tilmeldt med denne e-mail. Vi har sendt dit link igen."))
    else:
        form.phone.errors.append(
            _("Du er allerede tilmeldt med dette mobilnummer. Ring til kommunen, hvis du vil ændre din tilmelding.")
        )


def _signup_from(form: SignupForm) -> services.Signup:
    return services.Signup(
        role=form.role.data,
        name=form.name.data,
        email=form.email.data or None,
        phone=form.phone.data,
        on_behalf_of=form.on_behalf_of.data or "",
        seats=int(form.seats.data),
        needs=form.needs.data or [],
        interpreter_language=form.interpreter_language.data or "",
        needs_other=form.needs_other.data or "",
        topic=form.topic.data or "",
        topic_focus_area_id=int(form.topic_focus_area.data or 0) or None,
    )


def _closed(meeting: Meeting, reason: str):
    html = render_template("meetings/closed.html", meeting=meeting, reason=reason)
    return html, 200 if request.method == "GET" else 409


def with_registration(view):
    """Open the registration a manage link names; a forged, expired or deleted link gets a page that says so."""

    @wraps(view)
    def wrapper(token: str, **kwargs):
        try:
            registration = registration_for_token(token)
        except LinkInvalid as invalid:
            return render_template("meetings/link_invalid.html", reason=invalid.reason), 404
        return view(registration, token, **kwargs)

    return wrapper


@bp.get("/tilmelding/<token>")
@with_registration
def manage(registration, token: str):
    """The personal page of a sign-up: see it, change needs, cancel, delete."""
    form = NeedsForm(
        data={
            "needs": registration.needs,
            "interpreter_language": registration.interpreter_language,
            "needs_other": registration.needs_other,
        }
    )
    return _render_manage(registration, token, form)


def _render_manage(registration, token: str, form):
    return render_form_page(
        "meetings/manage.html",
        form,
        registration=registration,
        meeting=registration.meeting,
        token=token,
        position=services.waitlist_position(registration),
        new=request.args.get("ny") == "1",
    )


@bp.post("/tilmelding/<token>/behov")
@with_registration
def change_needs(registration, token: str):
    """Change what the person needs to take part."""
    form = NeedsForm()
    if not form.validate_on_submit():
        return _render_manage(registration, token, form)
    registration.needs = form.needs.data or []
    registration.interpreter_language = form.interpreter_language.data or ""
    registration.needs_other = form.needs_other.data or ""
    db.session.commit()
    return redirect(url_for(".manage", token=token, gemt=1))


@bp.route("/tilmelding/<token>/afmeld", methods=["GET", "POST"])
@with_registration
def cancel(registration, token: str):
    """Cancel the sign-up (after a confirmation page); the seat goes to the waiting list."""
    form = ConfirmForm()
    if form.validate_on_submit() and registration.active:
        services.cancel_registration(registration)
        db.session.commit()
        return redirect(url_for(".manage", token=token))
    return render_form_page("meetings/cancel.html", form, registration=registration, token=token)


@bp.route("/tilmelding/<token>/slet", methods=["GET", "POST"])
@with_registration
def delete(registration, token: str):
    """Cancel and delete the person's data now; the topic they sent in stays, without their name."""
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_registration(registration)
        db.session.commit()
        return render_template("meetings/deleted.html")
    return render_form_page("meetings/delete.html", form, registration=registration, token=token)


# A manage link is a key: survey.security sends its pages with no-referrer and no-store (every URL with a token).
