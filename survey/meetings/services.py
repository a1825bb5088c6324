"""The rules of dialogue meetings: seats, waiting list, cancellation, changes. Services flush; views commit."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from survey.kernel import sms
from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.meetings import notify
from survey.meetings.models import Meeting, MeetingStats, Registration, Topic


class SignupRefused(Exception):
    """Sign-up is closed: `reason` is the meeting's registration state ('deadline', 'past', 'cancelled', 'draft')."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class DuplicateSignup(Exception):
    """This e-mail (or mobile number) is already signed up for the meeting; `registration` is that sign-up."""

    def __init__(self, registration: Registration):
        super().__init__(registration.email)
        self.registration = registration


class NotEnoughSeats(Exception):
    """A reservation or change asks for more seats than are free."""


@dataclass
class Signup:
    """What a person (or staff on their behalf) fills in."""

    role: str
    name: str
    email: str | None = None
    phone: str | None = None
    on_behalf_of: str = ""
    seats: int = 1
    needs: list[str] = field(default_factory=list)
    interpreter_language: str = ""
    needs_other: str = ""
    topic: str = ""
    topic_focus_area_id: int | None = None
    #: the page's language: the language of the person's messages
    language: str = "da"
    #: 'email' or 'sms': where messages go when both contacts are given
    notify_by: str = "email"
    #: the e-mail or mobile number of the person signed up on someone's behalf, for their own confirmation
    behalf_contact: str | None = None


def lock_meeting(meeting_id: int) -> Meeting | None:
    """The meeting, row-locked for the rest of the transaction (FOR UPDATE on PostgreSQL; on SQLite the
    writing transaction already began IMMEDIATE), so seats are counted and taken by one request at a time."""
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id).with_for_update())


def seats_taken(meeting: Meeting) -> int:
    query = select(func.coalesce(func.sum(Registration.seats), 0)).where(
        Registration.meeting_id == meeting.id, Registration.status == "confirmed"
    )
    return db.session.scalar(query)


def seats_free(meeting: Meeting) -> int:
    return max(meeting.capacity - seats_taken(meeting), 0)


#: fewer free seats than this are shown to the public as "few": one sign-up takes up to 4
FEW_SEATS = 5


def availability(free: int) -> str:
    """What the public is told of a meeting's free seats: 'free', 'few' or 'full', never the number. An exact
    count would tell a stranger who signs up with someone's address whether that person was already signed up
    (the count stays put: a repeat takes no seat) or not (it drops)."""
    if free <= 0:
        return "full"
    return "few" if free < FEW_SEATS else "free"


def seats_free_by_meeting(meetings: list[Meeting]) -> dict[int, int]:
    """Free seats of several meetings in one query (the public list)."""
    query = (
        select(Registration.meeting_id, func.sum(Registration.seats))
        .where(Registration.meeting_id.in_([m.id for m in meetings]), Registration.status == "confirmed")
        .group_by(Registration.meeting_id)
    )
    taken = dict(db.session.execute(query).all())
    return {m.id: max(m.capacity - (taken.get(m.id) or 0), 0) for m in meetings}


def find_active(
    meeting: Meeting, email: str | None = None, phone: str | None = None, either: bool = False
) -> Registration | None:
    """A live sign-up for the meeting with this e-mail, or (when no e-mail is given) this phone number.

    `either`: one with this e-mail or this phone number, so that one contact holds one sign-up (of at most
    MAX_SEATS seats) however the two are combined."""
    same = []
    if email:
        same.append(Registration.email == email)
    if phone and (either or not email):
        same.append(Registration.phone == phone)
    if not same:
        return None
    live = (Registration.meeting_id == meeting.id, Registration.status != "cancelled")
    # the one with this e-mail first: its owner is who a repeat sign-up is told about
    first = case((Registration.email == email, 0), else_=1) if email else Registration.id
    query = select(Registration).where(*live, or_(*same)).order_by(first, Registration.id)
    return db.session.scalar(query.limit(1))


def register_for_meeting(
    meeting_id: int, signup: Signup, kind: str = "public", now: datetime | None = None
) -> Registration:
    """Sign up for a meeting: a confirmed seat while there are seats, else a place on the waiting list.

    Staff (kind 'staff_added') may add someone after the deadline; the public may not. A public sign-up with an
    e-mail or mobile number that already has a live sign-up is a DuplicateSignup (staff may add people sharing one
    phone, e.g. a care home's, each with an e-mail of their own). Only flushes; the confirmation e-mail is queued
    for after the commit."""
    meeting = lock_meeting(meeting_id)
    state = meeting.registration_state(now)
    if state not in (("open",) if kind == "public" else ("open", "deadline")):
        raise SignupRefused(state)
    email = signup.email.strip().lower() if signup.email else None
    if (existing := find_active(meeting, email, signup.phone, either=kind == "public")) is not None:
        raise DuplicateSignup(existing)
    fits = seats_taken(meeting) + signup.seats <= meeting.capacity
    registration = Registration(
        meeting=meeting,
        kind=kind,
        role=signup.role,
        name=signup.name,
        email=email,
        phone=signup.phone,
        on_behalf_of=signup.on_behalf_of,
        seats=signup.seats,
        status="confirmed" if fits else "waitlisted",
        needs=list(signup.needs),
        interpreter_language=signup.interpreter_language,
        needs_other=signup.needs_other,
        language=signup.language,
        notify_by=signup.notify_by,
        behalf_contact=signup.behalf_contact,
        waiting_since=None if fits else utcnow(),
    )
    db.session.add(registration)
    if signup.topic:
        db.session.add(
            Topic(
                meeting=meeting, registration=registration, text=signup.topic, focus_area_id=signup.topic_focus_area_id
            )
        )
    db.session.flush()
    notify.registration_received(registration)
    if registration.behalf_contact:
        notify.behalf_confirmation(registration)
    return registration


def sign_up_public(meeting_id: int, signup: Signup) -> Registration | None:
    """A sign-up from the public form. A repeat for a contact already signed up changes nothing and tells the
    owner of that sign-up (by e-mail or SMS, as they chose) that they are signed up, with their manage link: the
    stranger who typed their address learns nothing. Returns the new registration, or None for a repeat. Only
    flushes."""
    try:
        return register_for_meeting(meeting_id, signup)
    except DuplicateSignup as duplicate:
        notify.already_signed_up(duplicate.registration)
        return None


def reserve_seats(meeting_id: int, label: str, seats: int) -> Registration:
    """Hold seats for people staff will invite; they count like any other seats. Only flushes."""
    meeting = lock_meeting(meeting_id)
    if (state := meeting.registration_state()) in ("cancelled", "past"):
        raise SignupRefused(state)
    if seats_free(meeting) < seats:
        raise NotEnoughSeats(seats)
    registration = Registration(
        meeting=meeting, kind="reservation", role="andet", name=label, seats=seats, status="confirmed"
    )
    db.session.add(registration)
    db.session.flush()
    return registration


#: since when a sign-up waits (those stored waitlisted without the time: since they signed up)
WAITING_SINCE = func.coalesce(Registration.waiting_since, Registration.created_at)
#: the waiting list's order: first come, first served
WAITING_ORDER = (WAITING_SINCE, Registration.id)


def _waiting(meeting_id: int):
    """Who waits for seats of the meeting: waitlisted sign-ups and confirmed ones with extra seats waiting."""
    return (
        Registration.meeting_id == meeting_id,
        or_(
            Registration.status == "waitlisted",
            and_(Registration.status == "confirmed", Registration.seats_waiting > 0),
        ),
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when neither the sign-up nor extra seats of it wait."""
    if not registration.waiting:
        return None
    since = registration.waiting_since or registration.created_at
    ahead = or_(since > WAITING_SINCE, and_(since == WAITING_SINCE, Registration.id <= registration.id))
    return db.session.scalar(select(func.count()).where(*_waiting(registration.meeting_id), ahead))


def promote_waitlist(meeting: Meeting) -> list[Registration]:
    """Give free seats to the waiting list in the order people came to it, skipping those who need more seats
    than are free; each promoted person (or the one whose extra seats now fit) is told. Call with the meeting
    locked. Only flushes."""
    if meeting.registration_state() in ("cancelled", "past"):
        return []
    free = seats_free(meeting)
    promoted = []
    waiting = select(Registration).where(*_waiting(meeting.id)).order_by(*WAITING_ORDER)
    for registration in db.session.scalars(waiting):
        if free == 0:
            break
        if registration.status == "waitlisted" and registration.seats <= free:
            registration.status = "confirmed"
            free -= registration.seats
        elif registration.status == "confirmed" and registration.seats_waiting <= free:
            registration.seats += registration.seats_waiting
            free -= registration.seats_waiting
            registration.seats_waiting = 0
        else:
            continue
        registration.waiting_since = None
        promoted.append(registration)
        notify.promoted(registration)
    db.session.flush()
    return promoted


def cancel_registration(registration: Registration, now: datetime | None = None) -> list[Registration]:
    """Cancel a sign-up, tell the person (removing the calendar entry if they had a seat) and promote from the
    waiting list; returns who was promoted. Only flushes."""
    meeting = lock_meeting(registration.meeting_id)
    if registration.status == "cancelled":
        return []
    _cancel(registration, now or utcnow())
    db.session.flush()
    return promote_waitlist(meeting)


def cancel_registrations(meeting: Meeting, registrations: list[Registration]) -> list[Registration]:
    """Cancel several sign-ups of one meeting at once (a host clearing a burst): each is told as on a single
    cancellation, then the waiting list moves up once, so none of those cancelled here is promoted on the way.
    Returns who was promoted. Only flushes."""
    meeting = lock_meeting(meeting.id)
    now = utcnow()
    for registration in registrations:
        if registration.meeting_id != meeting.id:
            raise ValueError(f"registration {registration.id} is not for meeting {meeting.id}")
        if registration.status != "cancelled":
            _cancel(registration, now)
    db.session.flush()
    return promote_waitlist(meeting)


def _cancel(registration: Registration, now: datetime) -> None:
    notify.registration_cancelled(registration, had_seat=registration.status == "confirmed")
    registration.status = "cancelled"
    registration.cancelled_at = now
    registration.seats_waiting, registration.waiting_since = 0, None


def change_seats(registration: Registration, seats: int) -> None:
    """Change how many seats a sign-up holds: fewer frees seats for the waiting list; more must fit."""
    meeting = lock_meeting(registration.meeting_id)
    extra = seats - registration.seats
    if registration.status == "confirmed" and extra > 0 and seats_free(meeting) < extra:
        raise NotEnoughSeats(seats)
    registration.seats = seats
    db.session.flush()
    if extra < 0:
        promote_waitlist(meeting)


def update_meeting(meeting: Meeting, **values) -> bool:
    """Change a meeting. When time or place changes: raise its calendar SEQUENCE, mail everyone signed up, and
    let the reminder go out again for the new date. A larger capacity then promotes from the waiting list; a
    capacity below the seats already given is refused (NotEnoughSeats). Returns whether attendees were told.
    Only flushes."""
    lock_meeting(meeting.id)
    if values.get("capacity", meeting.capacity) < seats_taken(meeting):
        raise NotEnoughSeats(values["capacity"])
    moved = any(
        values.get(k, getattr(meeting, k)) != getattr(meeting, k)
        for k in ("starts_at", "ends_at", "venue_name", "venue_address")
    )
    for name, value in values.items():
        setattr(meeting, name, value)
    told = moved and meeting.status == "published"
    if moved:
        meeting.sequence += 1
        for registration in active_registrations(meeting):
            registration.reminder_sent_at = None
            if told:
                notify.meeting_changed(registration)
    db.session.flush()
    if meeting.status == "published":
        promote_waitlist(meeting)  # after the change mails, so nobody promoted gets both
    return told


def cancel_meeting(meeting: Meeting) -> None:
    """Cancel the meeting and tell everyone signed up. Only flushes."""
    was_published = meeting.status == "published"
    meeting.cancel()
    db.session.flush()
    if was_published:
        for registration in active_registrations(meeting):
            notify.meeting_cancelled(registration)


def active_registrations(meeting: Meeting) -> list[Registration]:
    query = select(Registration).where(Registration.meeting_id == meeting.id, Registration.status != "cancelled")
    return list(db.session.scalars(query.order_by(Registration.id)))


def delete_registration(registration: Registration) -> list[Registration]:
    """Cancel (promoting the waiting list) and delete a person's registration now, with its SMS messages (the
    number goes with it; the cancellation SMS is not sent, the page tells them). Only flushes."""
    promoted = cancel_registration(registration) if registration.active else []
    forget_messages(registration)
    db.session.delete(registration)
    db.session.flush()
    return promoted


def forget_messages(registration: Registration) -> None:
    """Delete the SMS messages sent to a registration that is being deleted: they hold its number."""
    sms.forget(notify.topic(registration))


def forget_meeting_messages(meeting: Meeting) -> None:
    """Delete the SMS messages of all the meeting's sign-ups (their data is being deleted)."""
    sms.forget(notify.meeting_topic_prefix(meeting))


def keep_anonymous_counts(meeting: Meeting, registrations: list[Registration]) -> None:
    """Add the meeting's anonymous counts (registered, attended, seats by role) before its sign-ups go."""
    stats = db.session.get(MeetingStats, meeting.id) or MeetingStats(
        meeting_id=meeting.id, registered=0, attended=0, by_role={}
    )
    counted = [r for r in registrations if r.status == "confirmed" and r.kind != "reservation"]
    by_role = Counter(stats.by_role)
    for registration in counted:
        by_role[registration.role] += registration.seats
    stats.registered += sum(r.seats for r in counted)
    stats.attended += sum(r.seats for r in counted if r.attended)
    stats.by_role = dict(by_role)
    db.session.add(stats)
