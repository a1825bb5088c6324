"""Finding, exporting and erasing one person's meeting sign-ups. Services flush; the view commits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import selectinload

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.parsers import parse_danish_phone, parse_email
from survey.kernel.sms import SmsMessage
from survey.meetings import notify
from survey.meetings.models import Meeting, Registration, Topic
from survey.meetings.services import delete_registration, forget_messages, keep_anonymous_counts, lock_meeting

#: columns left out of the export: the random keys of the manage links (long, and short for SMS), nothing about the
#: person
NOT_EXPORTED = {"manage_key", "short_key"}
MEETING_FIELDS = ("id", "title", "starts_at", "ends_at", "venue_name", "venue_address", "status")
SMS_FIELDS = ("to_number", "template", "language", "segments", "status", "created_at", "sent_at", "error")


@dataclass(frozen=True)
class Query:
    """What an admin typed, recognised: an e-mail or phone number (matched exactly) or words of a name."""

    kind: str  # 'email', 'phone' or 'name'
    value: str


def parse_query(typed: str) -> Query:
    """E-mail and phone number normalised the way sign-up stores them; anything else is a name."""
    typed = " ".join(typed.split())
    if "@" in typed:
        try:
            return Query("email", parse_email(typed))
        except EmailNotValidError:
            return Query("email", typed.lower())
    if re.fullmatch(r"[+\d][\d \-()]*", typed):
        try:
            return Query("phone", parse_danish_phone(typed, mobile_only=False))
        except ValueError:
            return Query("phone", typed.replace(" ", ""))
    return Query("name", typed.casefold())


def find_registrations(query: Query) -> list[Registration]:
    """The sign-ups that match, newest meeting first. A name matches when it holds every word typed, in any
    case; sign-ups are few (deleted after their retention period), so names are compared in Python, where
    case-folding also knows æ, ø and å."""
    base = select(Registration).options(selectinload(Registration.meeting), selectinload(Registration.topics))
    # also the sign-ups that hold the contact of someone signed up on another's behalf (their own confirmation)
    if query.kind == "email":
        same = or_(Registration.email == query.value, Registration.behalf_contact == query.value)
        found = db.session.scalars(base.where(same)).all()
    elif query.kind == "phone":
        same = or_(Registration.phone == query.value, Registration.behalf_contact == query.value)
        found = db.session.scalars(base.where(same)).all()
    else:
        words = query.value.split()
        names = db.session.execute(select(Registration.id, Registration.name)).all()
        ids = [i for i, name in names if all(word in name.casefold() for word in words)]
        found = db.session.scalars(base.where(Registration.id.in_(ids))).all() if ids else []
    return sorted(found, key=lambda r: (r.meeting.starts_at, r.id), reverse=True)


def registrations_by_id(ids: list[int]) -> list[Registration]:
    query = select(Registration).where(Registration.id.in_(ids)).options(selectinload(Registration.meeting))
    return sorted(db.session.scalars(query), key=lambda r: (r.meeting.starts_at, r.id), reverse=True)


def _plain(value):
    """A value as JSON can hold it; times are stored in UTC and said to be."""
    return value.isoformat(timespec="seconds") + "Z" if isinstance(value, datetime) else value


def _sms_sent(registration: Registration) -> list[dict]:
    """The SMS messages kept for the sign-up: to which number, which message, when, how it went (their texts are
    deleted once sent)."""
    query = select(SmsMessage).where(SmsMessage.topic == notify.topic(registration)).order_by(SmsMessage.id)
    return [{name: _plain(getattr(m, name)) for name in SMS_FIELDS} for m in db.session.scalars(query)]


def person_export(registrations: list[Registration], now: datetime | None = None) -> dict:
    """Everything stored about the person's sign-ups, the topics they sent in, the SMS messages sent to them and
    the meetings they concern."""
    columns = [c.key for c in Registration.__table__.columns if c.key not in NOT_EXPORTED]
    return {
        "udtrukket": _plain(now or utcnow()),
        "om_filen": (
            "Alle oplysninger, Borgerdialog har gemt om tilmeldingerne til dialogmøder og de sms'er, der er sendt "
            "om dem (teksten slettes, når den er sendt). Tider er i UTC."
        ),
        "tilmeldinger": [
            {
                **{name: _plain(getattr(r, name)) for name in columns},
                "emner": [{"tekst": t.text, "fokusomraade_id": t.focus_area_id} for t in r.topics],
                "sms": _sms_sent(r),
                "moede": {name: _plain(getattr(r.meeting, name)) for name in MEETING_FIELDS},
            }
            for r in registrations
        ],
    }


@dataclass
class Erasure:
    registrations: int = 0
    meeting_ids: list[int] = field(default_factory=list)
    #: people who got a seat from the waiting list because of the erasure (they are told by e-mail)
    promoted: list[Registration] = field(default_factory=list)


def erase_registrations(registrations: list[Registration], now: datetime | None = None) -> Erasure:
    """Hard-delete the sign-ups and the topics the person sent in with them. For a meeting still to come the
    sign-up is cancelled first (the person's calendar entry is withdrawn and the waiting list moves up, as on
    any cancellation); for a meeting that has ended, its anonymous counts are kept as the retention purge
    keeps them. Only flushes."""
    now = now or utcnow()
    erasure = Erasure()
    for registration in registrations:
        meeting: Meeting = lock_meeting(registration.meeting_id)
        db.session.execute(delete(Topic).where(Topic.registration_id == registration.id))
        db.session.expire(registration, ["topics"])
        if meeting.ends_at <= now:
            keep_anonymous_counts(meeting, [registration])
            forget_messages(registration)
            db.session.delete(registration)
            db.session.flush()
        else:
            erasure.promoted += delete_registration(registration)
        erasure.registrations += 1
        if meeting.id not in erasure.meeting_ids:
            erasure.meeting_ids.append(meeting.id)
    return erasure
