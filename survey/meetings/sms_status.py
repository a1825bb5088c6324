"""The SMS messages of a meeting that did not reach the person, for its staff page: whom to call, about what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.kernel import sms
from survey.kernel.extensions import db
from survey.kernel.sms_text import display_number
from survey.meetings import notify
from survey.meetings.models import Meeting, Registration

#: what each message is about, as staff say it (templates/sms/<template>.txt)
MESSAGE_LABELS = {
    "registration_received": _l("Bekræftelse af tilmeldingen"),
    "already_signed_up": _l("Besked om, at personen allerede er tilmeldt"),
    "promoted": _l("Har fået plads fra ventelisten"),
    "meeting_changed": _l("Mødet er flyttet"),
    "meeting_cancelled": _l("Mødet er aflyst"),
    "registration_cancelled": _l("Bekræftelse af afmeldingen"),
    "reminder": _l("Påmindelse"),
    "feedback": _l("Spørgeskema efter mødet"),
}
STATUS_LABELS = {sms.FAILED: _l("Ikke sendt"), sms.UNKNOWN: _l("Ukendt, om den er sendt")}


@dataclass(frozen=True)
class UndeliveredSms:
    #: None when the sign-up is gone (deleted by the person)
    name: str | None
    #: as people write it, and E.164 for the tel: link (None once forgotten)
    number: str | None
    tel: str | None
    message: str
    at: datetime
    status: str
    reason: str


def undelivered(meeting: Meeting) -> list[UndeliveredSms]:
    """The meeting's SMS messages that failed or whose fate is unknown, newest first."""
    problems = sms.problems(notify.meeting_topic_prefix(meeting))
    ids = {notify.registration_id_of(message.topic) for message in problems} - {None}
    query = select(Registration.id, Registration.name).where(
        Registration.meeting_id == meeting.id, Registration.id.in_(ids)
    )
    names = dict(db.session.execute(query).all()) if ids else {}
    return [
        UndeliveredSms(
            name=names.get(notify.registration_id_of(message.topic)),
            number=display_number(message.to_number) if message.to_number else None,
            tel=message.to_number,
            message=str(MESSAGE_LABELS.get(message.template, message.template)),
            at=message.sent_at or message.claimed_at or message.created_at,
            status=str(STATUS_LABELS[message.status]),
            reason=message.error or "",
        )
        for message in problems
    ]
