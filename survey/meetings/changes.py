"""What a person changes on their manage page: seats, name, contact, on whose behalf, the topic, the meeting.

The rules are the sign-up's (survey.meetings.services): seats are counted and taken with the meeting locked, a
contact holds one live sign-up per meeting, a move is a cancellation on the old meeting (the waiting list moves
up) and a sign-up on the new one. Services flush; the view commits once."""

from __future__ import annotations

from dataclasses import dataclass

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.meetings import notify
from survey.meetings.models import MAX_SEATS, Meeting, Registration, Topic
from survey.meetings.services import (
    DuplicateSignup,
    Signup,
    SignupRefused,
    find_active,
    lock_meeting,
    promote_waitlist,
    seats_free,
)
from survey.meetings.vocabulary import UNMET_NEEDS


class MoveRefused(Exception):
    """The meeting to move to is not one of the same policy."""


@dataclass(frozen=True)
class SeatChange:
    """What became of a change of seats: how many are confirmed now and how many wait on the waiting list."""

    confirmed: int
    waiting: int


def resize(registration: Registration, seats: int) -> SeatChange:
    """Change how many seats the sign-up asks for, 1 to MAX_SEATS. Fewer free seats for the waiting list. More
    take the free seats there are and put the rest on the waiting list (behind those already waiting, but a
    place already held there is kept); a confirmed seat is never given up for it. Only flushes."""
    if not 1 <= seats <= MAX_SEATS:
        raise ValueError(f"seats must be 1 to {MAX_SEATS}, not {seats}")
    meeting = lock_meeting(registration.meeting_id)
    if registration.status == "waitlisted":
        registration.seats = seats
    elif seats <= registration.seats:
        registration.seats, registration.seats_waiting, registration.waiting_since = seats, 0, None
    else:
        extra = seats - registration.seats
        given = min(extra, seats_free(meeting))
        registration.seats += given
        registration.seats_waiting = extra - given
        if registration.seats_waiting == 0:
            registration.waiting_since = None
        elif registration.waiting_since is None:
            registration.waiting_since = utcnow()
    db.session.flush()
    promote_waitlist(meeting)
    return SeatChange(registration.seats if registration.status == "confirmed" else 0, _waiting_seats(registration))


def _waiting_seats(registration: Registration) -> int:
    return registration.seats if registration.status == "waitlisted" else registration.seats_waiting


def change_details(registration: Registration, signup: Signup) -> None:
    """Change name, contact, role, on whose behalf and the topic, checked as on sign-up: a contact that has
    another live sign-up for the meeting is a DuplicateSignup. A new contact for the person signed up on someone's
    behalf gets its own confirmation. Only flushes."""
    meeting = lock_meeting(registration.meeting_id)
    email = signup.email.strip().lower() if signup.email else None
    for other in (find_active(meeting, email=email), find_active(meeting, phone=signup.phone)):
        if other is not None and other.id != registration.id:
            raise DuplicateSignup(other)
    new_behalf = signup.behalf_contact and signup.behalf_contact != registration.behalf_contact
    registration.name, registration.role = signup.name, signup.role
    registration.email, registration.phone, registration.notify_by = email, signup.phone, signup.notify_by
    registration.on_behalf_of, registration.behalf_contact = signup.on_behalf_of, signup.behalf_contact
    _change_topic(registration, signup)
    db.session.flush()
    if new_behalf:
        notify.behalf_confirmation(registration)


def _change_topic(registration: Registration, signup: Signup) -> None:
    """The sign-up's topic is its first; an emptied text withdraws it (it is the person's own to take back)."""
    topic = registration.topics[0] if registration.topics else None
    if topic is None and signup.topic:
        db.session.add(
            Topic(
                meeting_id=registration.meeting_id,
                registration=registration,
                text=signup.topic,
                focus_area_id=signup.topic_focus_area_id,
            )
        )
    elif topic is not None and signup.topic:
        topic.text, topic.focus_area_id = signup.topic, signup.topic_focus_area_id
    elif topic is not None:
        db.session.delete(topic)


def move(registration: Registration, meeting_id: int) -> Registration:
    """Move the sign-up to another open meeting of the same policy. On the new meeting the seats follow the
    sign-up's rule (all of them confirmed if they fit, else the waiting list); on the old one the seat is freed
    and the waiting list moves up, as on a cancellation. The person is told of both (the old calendar entry is
    withdrawn). Only flushes."""
    old_id = registration.meeting_id
    if meeting_id == old_id:
        raise MoveRefused(meeting_id)
    # both locked, the lower id first, so two moves between the same meetings cannot wait for each other
    locked = {i: lock_meeting(i) for i in sorted((old_id, meeting_id))}
    old, new = locked[old_id], locked[meeting_id]
    if new is None or new.policy_id != old.policy_id:
        raise MoveRefused(meeting_id)
    if (state := new.registration_state()) != "open":
        raise SignupRefused(state)
    for other in (find_active(new, email=registration.email), find_active(new, phone=registration.phone)):
        if other is not None:
            raise DuplicateSignup(other)
    notify.registration_cancelled(registration, had_seat=registration.status == "confirmed")
    seats = registration.seats + (registration.seats_waiting if registration.status == "confirmed" else 0)
    fits = seats <= seats_free(new)
    registration.meeting, registration.seats, registration.seats_waiting = new, seats, 0
    registration.status = "confirmed" if fits else "waitlisted"
    registration.waiting_since = None if fits else utcnow()
    registration.reminder_sent_at = None
    for topic in registration.topics:
        topic.meeting = new
    db.session.flush()
    promote_waitlist(old)
    notify.registration_received(registration)
    if registration.behalf_contact:
        notify.behalf_confirmation(registration)
    return registration


def unmet_needs(registration: Registration, meeting: Meeting | None = None) -> list[str]:
    """The needs the sign-up asked for that the venue does not offer (a hearing loop where there is none)."""
    meeting = meeting or registration.meeting
    return [code for code in registration.needs or () if code in UNMET_NEEDS and not getattr(meeting, code)]
