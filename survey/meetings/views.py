"""Public pages of dialogue meetings: list, meeting, sign-up, and the personal manage page."""

from __future__ import annotations

from functools import wraps
from types import SimpleNamespace

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from survey.kernel.converters import whole_number
from survey.kernel.errors import form_again_when_limited, unavailable_summary, wait_in_words
from survey.kernel.extensions import db
from survey.kernel.ratelimits import wait_for
from survey.kernel.rendering import render_form_page
from survey.meetings import bp, changes, link_bp, listing, notify, services
from survey.meetings.forms import ConfirmForm, DetailsForm, MeetingFilterForm, MoveForm, NeedsForm, SignupForm
from survey.meetings.models import Meeting
from survey.meetings.tokens import LinkInvalid, manage_token, registration_for_short_code, registration_for_token
from survey.meetings.vocabulary import unmet_need_text, venue_facts

#: the session key of the thank-you page's content (survey.meetings.views.signed_up)
RECEIPT = "meeting_signup"
#: what the thank-you page repeats of what was asked for (the lines notify.asked_for makes)
ASKED = ("seats", "on_behalf_of", "needs", "interpreter_language", "needs_other")

bp.add_app_template_global(venue_facts)  # the meeting facts (templates/meetings/_details.html)
bp.add_app_template_global(unmet_need_text)  # what the municipality does about a need the venue cannot meet


@bp.before_request
def no_nul_in_address():
    """An address with a NUL in it names nothing here (and PostgreSQL refuses to compare text holding one)."""
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        abort(404)


def published_meeting(meeting_id: int) -> Meeting:
    """A meeting the public may see: published or cancelled (so a shared link still explains itself)."""
    # every public meeting page names the municipality: its policy comes in the same statement
    with_policy = [joinedload(Meeting.policy, innerjoin=True).undefer_group("contact")]
    # a number no database column holds never gets here (survey.kernel.converters)
    meeting = db.session.get(Meeting, meeting_id, options=with_policy)
    if meeting is None or meeting.status == "draft":
        abort(404)
    return meeting


@bp.get("/")
def index():
    """Upcoming meetings, each naming its municipality; optionally one municipality's, and of those the ones about
    one of its focus areas (offered once the municipality is chosen, or when there is only one)."""
    policies = listing.policies_with_upcoming()
    chosen = next((p for p in policies if p.slug == request.args.get("kommune")), None)
    if chosen is None and len(policies) == 1:
        chosen = policies[0]
    areas = listing.upcoming_focus_areas(chosen) if chosen is not None else []
    focus_id = request.args.get("fokus", type=whole_number)
    focus = next((area for area in areas if area.id == focus_id), None)
    meetings = listing.upcoming_meetings(chosen, focus)
    seats = {m: services.availability(free) for m, free in services.seats_free_by_meeting(meetings).items()}
    filters = MeetingFilterForm.showing(policies, chosen, areas, focus) if len(policies) > 1 or areas else None
    return render_template("meetings/index.html", meetings=meetings, filters=filters, seats=seats, page_policy=chosen)


@bp.get("/<int:meeting_id>")
def meeting(meeting_id: int):
    """One meeting: what, when, where, how accessible, and the way to sign up."""
    meeting = published_meeting(meeting_id)
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        state=meeting.registration_state(),
        seats=services.availability(services.seats_free(meeting)),
    )


def _signup_again(message: str, meeting_id: int) -> str | None:
    """The form again, with what was typed and how long to wait, when the limit on all sign-ups from an address
    (RATELIMIT_SIGNUP) refused the post before the view ran."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.status != "published":
        return None
    return _signup_form_again(meeting, SignupForm(focus_areas=meeting.focus_areas), message)


def _signup_form_again(meeting: Meeting, form: SignupForm, message: str) -> str:
    return render_template(
        "meetings/signup.html",
        form=form,
        meeting=meeting,
        seats=services.availability(services.seats_free(meeting)),
        **unavailable_summary(form.name.id, message),
    )


@bp.route("/<int:meeting_id>/tilmeld", methods=["GET", "POST"])
@form_again_when_limited(_signup_again)
def signup(meeting_id: int):
    """Sign up, for oneself or on someone's behalf. A repeat sign-up gets exactly the answer a new one gets."""
    meeting = published_meeting(meeting_id)
    if (state := meeting.registration_state()) != "open":
        return _closed(meeting, state)
    form = SignupForm(focus_areas=meeting.focus_areas)
    if form.validate_on_submit():
        # counted once the form is valid (a typo uses nothing up), before it is known whether the contact is
        # already signed up (a repeat counts like a new one: the two must look alike)
        if wait := wait_for("RATELIMIT_SIGNUP_MEETING", "signup_meeting", str(meeting.id)):
            return _too_many(meeting, form, wait)
        signup = _signup_from(form)
        try:
            services.sign_up_public(meeting.id, signup)
        except services.SignupRefused as refused:
            db.session.rollback()
            return _closed(meeting, refused.reason)
        # before the commit, which expires the meeting: reading it after would begin a transaction
        session[RECEIPT], thanks = _receipt(meeting, signup), url_for(".signed_up", meeting_id=meeting.id)
        db.session.commit()
        return redirect(thanks)
    seats = services.availability(services.seats_free(meeting))
    return render_form_page("meetings/signup.html", form, meeting=meeting, seats=seats)


@bp.get("/<int:meeting_id>/tilmeld/tak")
def signed_up(meeting_id: int):
    """After a sign-up, new or repeat alike: where the confirmation went and what was asked for."""
    meeting = published_meeting(meeting_id)
    # shown once: on a shared PC the next person must not find the contact and needs by reloading
    receipt = session.pop(RECEIPT, None)
    if not isinstance(receipt, dict) or receipt.get("meeting_id") != meeting.id:
        receipt = None
    asked = notify.asked_for(SimpleNamespace(**receipt["asked"])) if receipt else []
    unmet = changes.unmet_needs(SimpleNamespace(**receipt["asked"]), meeting) if receipt else []
    return render_template("meetings/signed_up.html", meeting=meeting, receipt=receipt, asked=asked, unmet=unmet)


def _receipt(meeting: Meeting, signup: services.Signup) -> dict:
    """What the thank-you page shows: only what was typed, so it is the same whether or not the contact was
    already signed up."""
    import phonenumbers  # here: only a sign-up with a number needs it (issue 18)

    phone = signup.phone and phonenumbers.format_number(
        phonenumbers.parse(signup.phone), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    ).replace(" ", "\u00a0")  # "+45 20 30 40 50" kept on one line
    asked = {name: getattr(signup, name) for name in ASKED}
    # where the confirmation went, by what was typed and chosen (the same words for a repeat)
    by_sms = signup.notify_by == "sms" and bool(signup.phone)
    return {"meeting_id": meeting.id, "email": signup.email, "phone": phone, "by_sms": by_sms, "asked": asked}


def _too_many(meeting: Meeting, form: SignupForm, wait: int):
    """The form again, with what was typed and how long to wait (RATELIMIT_SIGNUP_MEETING)."""
    message = _(
        "Der er kommet mange tilmeldinger til dette møde fra din internetforbindelse. Vent %(wait)s, og prøv "
        "igen. Du kan også ringe til kommunen og blive tilmeldt.",
        wait=wait_in_words(wait),
    )
    return _signup_form_again(meeting, form, message), 429, {"Retry-After": str(wait)}


def _signup_from(form: SignupForm) -> services.Signup:
    return services.Signup(
        **form.signup_values(), seats=int(form.seats.data), **form.needs_values(), language=str(get_locale() or "da")
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


@link_bp.get("/m/<token>")
def short_link(token: str):
    """The short manage link of an SMS: on to the sign-up's manage page, in the sign-up's language."""
    try:
        registration = registration_for_short_code(token)
    except LinkInvalid as invalid:
        return render_template("meetings/link_invalid.html", reason=invalid.reason), 404
    return redirect(url_for("meetings.manage", token=manage_token(registration), lang=registration.language))


@bp.get("/tilmelding/<token>")
@with_registration
def manage(registration, token: str):
    """The personal page of a sign-up: see it, change it, move it, cancel, delete."""
    return _render_manage(registration, token)


def while_active(view):
    """A change to a cancelled sign-up is refused (409) with its manage page, which says it is cancelled."""

    @wraps(view)
    def wrapper(registration, token: str, **kwargs):
        if not registration.active:
            return _render_manage(registration, token, status=409)
        return view(registration, token, **kwargs)

    return wrapper


def _details_form(registration, formdata=None) -> DetailsForm:
    topic = registration.topics[0] if registration.topics else None
    data = {
        name: getattr(registration, name)
        for name in ("name", "email", "phone", "notify_by", "role", "on_behalf_of", "behalf_contact")
    }
    data |= {"seats": str(registration.seats + registration.seats_waiting), "topic": topic.text if topic else ""}
    data["topic_focus_area"] = str(topic.focus_area_id) if topic and topic.focus_area_id else ""
    # prefixed: three forms on one page, each field id once
    return DetailsForm(formdata=formdata, data=data, focus_areas=registration.meeting.focus_areas, prefix="ret")


def _render_manage(registration, token: str, form=None, details=None, move=None, status: int = 200):
    meeting = registration.meeting
    needs = form or NeedsForm(
        formdata=None,
        data={name: getattr(registration, name) for name in ("needs", "interpreter_language", "needs_other")},
    )
    details = details or _details_form(registration, formdata=None)
    move = move or MoveForm(formdata=None, meetings=listing.open_elsewhere(registration), prefix="flyt")
    errors = [error for f in (needs, details, move) if f.errors for error in f.error_list()]
    page = render_template(
        "meetings/manage.html",
        form=needs,
        errors=errors,
        has_errors=bool(errors),
        details=details,
        move=move,
        registration=registration,
        meeting=meeting,
        token=token,
        position=services.waitlist_position(registration),
        unmet=changes.unmet_needs(registration),
    )
    return page, 400 if errors and status == 200 else status


@bp.post("/tilmelding/<token>/behov")
@with_registration
@while_active
def change_needs(registration, token: str):
    """Change what the person needs to take part."""
    form = NeedsForm()
    if not form.validate_on_submit():
        return _render_manage(registration, token, form=form)
    for name, value in form.needs_values().items():
        setattr(registration, name, value)
    db.session.commit()
    return redirect(url_for(".manage", token=token, gemt=1))


@bp.post("/tilmelding/<token>/oplysninger")
@with_registration
@while_active
def change_details(registration, token: str):
    """Change seats, name, contact, on whose behalf and the topic; extra seats on a full meeting wait."""
    form = _details_form(registration, formdata=request.form)
    if not form.validate_on_submit():
        return _render_manage(registration, token, details=form)
    signup = services.Signup(**form.signup_values(), language=registration.language)
    try:
        changes.change_details(registration, signup)
    except services.DuplicateSignup:
        db.session.rollback()
        form.email.errors.append(_("Den e-mail eller det mobilnummer bruges allerede til en anden tilmelding."))
        return _render_manage(registration, token, details=form, status=409)
    seats = changes.resize(registration, int(form.seats.data))
    db.session.commit()
    return redirect(url_for(".manage", token=token, gemt=1, venter=seats.waiting or None))


@bp.post("/tilmelding/<token>/flyt")
@with_registration
@while_active
def move(registration, token: str):
    """Move the sign-up to another open meeting of the same policy."""
    form = MoveForm(meetings=listing.open_elsewhere(registration), prefix="flyt")
    if not form.validate_on_submit():
        return _render_manage(registration, token, move=form)
    try:
        changes.move(registration, int(form.meeting.data))
    except (services.DuplicateSignup, services.SignupRefused, changes.MoveRefused):
        db.session.rollback()
        form.meeting.errors.append(_("Du kan ikke flytte til det møde. Vælg et andet, eller ring til kommunen."))
        return _render_manage(registration, token, move=form, status=409)
    db.session.commit()
    return redirect(url_for(".manage", token=token, flyttet=1))


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


# A manage link is a key: survey.kernel.security sends its pages with no-referrer and no-store (every URL with a token).
