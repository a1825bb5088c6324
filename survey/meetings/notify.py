"""The messages of dialogue meetings. Each function queues one message in the outbox (survey.kernel.outbox), which
sends it after the commit by the channel that reaches the person: e-mail or SMS, the one they chose when they
gave both (Registration.notify_by).

Every message is in the language the person signed up in (Danish or English). An e-mail says what, when, where,
how accessible the place is, what the person asked for and how to change it; a confirmed seat carries the meeting
as an .ics invitation (METHOD:REQUEST) that later messages update or cancel through the same UID. An SMS says
what, when (and where, where it matters) and carries the short manage link; it fits in MAX_SEGMENTS (a long title
or place is cut, never the link: survey.kernel.sms_fit)."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_

from survey.kernel import outbox, sms_fit
from survey.kernel.i18n import language_name, local_time_span
from survey.kernel.outbox import Attachment, Message, Recipient
from survey.kernel.urls import public_url
from survey.meetings import calendar
from survey.meetings.models import Meeting, Registration
from survey.meetings.vocabulary import NEEDS, VENUE_FEATURES

#: the language of messages to a registration whose own is not one the app speaks (and of staff-added ones)
LOCALE = "da"


def language(registration: Registration) -> str:
    """The language the person signed up in, when the app still speaks it."""
    chosen = registration.language
    return chosen if chosen in current_app.config["LANGUAGES"] else LOCALE


def meeting_when(meeting: Meeting) -> str:
    """'torsdag den 3. december 2026 kl. 17.00–19.00', in Danish time and the current language."""
    return local_time_span(meeting.starts_at, meeting.ends_at)


def venue_access(meeting: Meeting) -> list[tuple[str, bool]]:
    """What the venue offers, each with yes or no: someone who needs it must know either way."""
    return [(str(feature.label), getattr(meeting, code)) for code, feature in VENUE_FEATURES.items()]


def asked_for(registration: Registration) -> list[str]:
    """The person's own choices, one short line each."""
    lines = [_("Antal pladser: %(seats)d", seats=registration.seats)]
    if registration.on_behalf_of:
        lines.append(_("Tilmeldt på vegne af: %(name)s", name=registration.on_behalf_of))
    needs = set(registration.needs or ())
    for code, label in NEEDS.items():
        if code == "interpreter" and code in needs and registration.interpreter_language:
            lines.append(_("Tolk på %(language)s", language=language_name(registration.interpreter_language)))
        elif code == "other" and registration.needs_other:
            lines.append(_("Andet: %(text)s", text=registration.needs_other))
        elif code in needs:
            lines.append(str(label))
    return lines


def _in_language(registration: Registration) -> dict[str, str]:
    """The query that opens a linked page in the person's language (Danish links stay as they were)."""
    return {"lang": language(registration)} if language(registration) != LOCALE else {}


def _manage_url(registration: Registration) -> str:
    from survey.meetings.tokens import manage_token

    return public_url("meetings.manage", token=manage_token(registration), **_in_language(registration))


def short_manage_url(registration: Registration) -> str:
    """The manage link as an SMS carries it: /m/ and 16 characters (survey.meetings.tokens.short_code)."""
    from survey.meetings.tokens import short_code

    return public_url("meetings_link.short_link", token=short_code(registration))


def recipient(registration: Registration) -> Recipient:
    """The contact the person chose when they gave both (default e-mail), else the one they gave."""
    if registration.email and registration.phone:
        if registration.notify_by == "sms":
            return Recipient(phone=registration.phone)
        return Recipient(email=registration.email)
    return Recipient(email=registration.email, phone=registration.phone)


#: SQL: the registration is told through this Recipient field (as recipient() chooses); who a scheduled batch can
#: reach (survey.meetings.scheduled)
CONTACT_CHOSEN = {
    "email": and_(Registration.email.is_not(None), or_(Registration.phone.is_(None), Registration.notify_by != "sms")),
    "phone": and_(Registration.phone.is_not(None), or_(Registration.email.is_(None), Registration.notify_by == "sms")),
}


def _ics(method: str, content: bytes) -> Attachment:
    """text/calendar with the METHOD as a parameter, as mail programs expect for invitations."""
    filename = "aflysning.ics" if method == "CANCEL" else "invitation.ics"
    return Attachment(filename, content, "text/calendar", {"method": method})


def topic(registration: Registration) -> str:
    """What the registration's messages are filed under (survey.kernel.sms: staff see the failures by meeting)."""
    return f"meeting:{registration.meeting_id}/registration:{registration.id}"


def meeting_topic_prefix(meeting: Meeting) -> str:
    """The start of the topics of all the meeting's sign-ups."""
    return f"meeting:{meeting.id}/"


def registration_id_of(topic_name: str | None) -> int | None:
    """The registration id in a topic made by topic(), or None."""
    _meeting, _slash, rest = (topic_name or "").partition("/registration:")
    return int(rest) if rest.isdigit() else None


def _send(
    registration: Registration,
    kind: str,
    subject: str,
    ics: str | None = None,
    manage: bool = False,
    to: Recipient | None = None,
    **extra,
) -> None:
    """Queue the message `kind`, with an .ics when `ics` is 'REQUEST' or 'CANCEL' (e-mail only) and the manage
    link as `manage_url` when `manage` (by SMS the short one).

    Nobody a channel reaches (a phone-only sign-up while there is no SMS channel, a reservation), no message.
    `to`: someone else than the person who signed up (the one signed up on someone's behalf)."""
    to = to or recipient(registration)
    channel = outbox.channel_for(to)
    if channel is None:
        return
    meeting = registration.meeting
    by_sms = channel.contact == "phone"
    context = {
        "registration": registration,
        "meeting": meeting,
        "when": meeting_when(meeting),
        "venue_access": venue_access(meeting),
        "asked_for": asked_for(registration),
        "meeting_url": public_url("meetings.meeting", meeting_id=meeting.id, **_in_language(registration)),
        "has_calendar": ics is not None,
        "sender": current_app.config["MUNICIPALITY_NAME"] or "Borgerdialog",
        "helpline": meeting.policy.contact,  # a human to call, at the foot of every mail (mail/layout)
        **extra,
    }
    if manage:
        context["manage_url"] = short_manage_url(registration) if by_sms else _manage_url(registration)
    attachments = ()
    if ics == "REQUEST" and not by_sms:
        attachments = (_ics("REQUEST", calendar.invitation(registration)),)
    elif ics == "CANCEL" and not by_sms:
        attachments = (_ics("CANCEL", calendar.cancellation(registration)),)
    message = Message(to, kind, subject, context, language(registration), attachments, topic=topic(registration))
    if by_sms:
        place = f"{meeting.venue_name}, {meeting.venue_address}"
        message = sms_fit.fitted(message, {"title": meeting.shown_title, "place": place})
    outbox.queue(message)


def _confirmed_invitation(registration: Registration) -> str | None:
    """Only a confirmed seat goes into a calendar; the waiting list gets no entry."""
    return "REQUEST" if registration.status == "confirmed" else None


def _send_status(registration: Registration, kind: str, subject: str) -> None:
    """A mail that states where the person stands: a seat (with the .ics) or a place on the waiting list."""
    from survey.meetings.services import waitlist_position

    ics = _confirmed_invitation(registration)
    _send(registration, kind, subject, ics=ics, manage=True, position=waitlist_position(registration))


def registration_received(registration: Registration) -> None:
    """Confirmation of a seat (with the .ics), or of a place on the waiting list (with its number)."""
    with force_locale(language(registration)):
        title = registration.meeting.shown_title
        if registration.status == "confirmed":
            subject = _("Du er tilmeldt: %(title)s", title=title)
        else:
            subject = _("Du er på venteliste: %(title)s", title=title)
        _send_status(registration, "registration_received", subject)


def behalf_recipient(registration: Registration) -> Recipient | None:
    """The person signed up on someone's behalf, when a contact of theirs was given (an e-mail has an @)."""
    contact = registration.behalf_contact
    if not contact:
        return None
    return Recipient(email=contact) if "@" in contact else Recipient(phone=contact)


def behalf_confirmation(registration: Registration) -> None:
    """Tell the person signed up on someone's behalf that they are signed up, in the sign-up's language: the
    meeting and who signed them up, never the manage link (that is the key of whoever signed up)."""
    to = behalf_recipient(registration)
    if to is None:
        return
    with force_locale(language(registration)):
        subject = _("Du er tilmeldt: %(title)s", title=registration.meeting.shown_title)
        _send(registration, "behalf_confirmation", subject, to=to)


def promoted(registration: Registration) -> None:
    """A seat came free: the person moved from the waiting list to a confirmed seat."""
    with force_locale(language(registration)):
        subject = _("Der er plads til dig: %(title)s", title=registration.meeting.shown_title)
        _send(registration, "promoted", subject, ics="REQUEST", manage=True)


def already_signed_up(registration: Registration) -> None:
    """Someone signed up again with this sign-up's e-mail or mobile number: tell its owner that they are already
    signed up and that nothing changed, with their manage link. Only what the owner gave is in it, never a word of
    what the other sign-up typed."""
    with force_locale(language(registration)):
        subject = _("Du er allerede tilmeldt: %(title)s", title=registration.meeting.shown_title)
        _send_status(registration, "already_signed_up", subject)


def meeting_changed(registration: Registration) -> None:
    """Time or place changed: the updated .ics (same UID, higher SEQUENCE) replaces the old entry."""
    with force_locale(language(registration)):
        subject = _("Mødet er ændret: %(title)s", title=registration.meeting.shown_title)
        _send(
            registration,
            "meeting_changed",
            subject,
            ics=_confirmed_invitation(registration),
            manage=True,
        )


def meeting_cancelled(registration: Registration) -> None:
    """The meeting is cancelled; a confirmed seat's calendar entry is removed (METHOD:CANCEL)."""
    with force_locale(language(registration)):
        subject = _("Mødet er aflyst: %(title)s", title=registration.meeting.shown_title)
        ics = "CANCEL" if registration.status == "confirmed" else None
        _send(registration, "meeting_cancelled", subject, ics=ics, brief=True)


def registration_cancelled(registration: Registration, had_seat: bool = True) -> None:
    """The person cancelled their own sign-up. `had_seat`: it was confirmed (so a calendar entry exists to
    remove), not a place on the waiting list."""
    with force_locale(language(registration)):
        subject = _("Du er afmeldt: %(title)s", title=registration.meeting.shown_title)
        _send(registration, "registration_cancelled", subject, ics="CANCEL" if had_seat else None, brief=True)


def reminder(registration: Registration) -> None:
    """A few days before: the meeting again, the host's personal line, and the .ics."""
    with force_locale(language(registration)):
        meeting = registration.meeting
        subject = _("Påmindelse: %(title)s", title=meeting.shown_title)
        _send(
            registration,
            "reminder",
            subject,
            ics=_confirmed_invitation(registration),
            manage=True,
            note=meeting.shown_reminder_note.strip(),
        )


def feedback(registration: Registration, feedback_url: str) -> None:
    """After the meeting, to those who came: a link to the short, anonymous feedback survey."""
    channel = outbox.channel_for(recipient(registration))
    # the start page then asks for the code "fra din e-mail" / "fra din sms" (questionnaire.forms.CODE_SOURCES)
    feedback_url += "&fra=sms" if channel is not None and channel.contact == "phone" else "&fra=e-mail"
    with force_locale(language(registration)):
        subject = _("Hvad syntes du om mødet? %(title)s", title=registration.meeting.shown_title)
        _send(registration, "feedback", subject, feedback_url=feedback_url, brief=True)
