"""Invitations of a round by e-mail or SMS: a list of addresses or mobile numbers, each sent its own single-use
code, and a reminder to those whose code is still unused — without ever knowing which response (or draft) a code
led to. Both channels are one list (EmailInvitation.channel says which) served by the same functions, each taking
the channel ('email' by default); an address below is an e-mail address or a mobile number.

How anonymity is kept (as LimeSurvey's anonymised tokens):
- when staff confirm a list, every address gets an invitation of its own (only a keyed hash of an unknown code is
  stored), paired at random, so the invitations' ids do not follow the order of the addresses;
- sending gives the invitation a fresh code (its hash replaces the old one) and puts that code only in the mail;
- the moment a code is used (the survey is begun, services.start_draft) the address is marked `used` and its link
  to the invitation is dropped in the same transaction (`code_used`): from then on no stored value leads from the
  address to the invitation, its draft or the response;
  (on PostgreSQL the address row and the invitation row do share the transaction id, xmin, of that moment: a
  system column that leads to an unsent draft at most, never to a response, which a later transaction writes);
- a reminder gives each unused invitation a fresh code again (the first mail's code stops working), so a reminder
  always carries a code that works, though no code is ever stored.

Sending is batched and resumable: one batch is one transaction that marks its addresses sent and queues their
mails; the outbox sends them after the commit. A re-run only takes addresses not marked sent, so nobody is mailed
twice (at most once: a mail the SMTP server refuses after the commit is logged, not retried; an SMS is kept in the
SMS outbox, survey.kernel.sms, and retried there while the gateway is down, filed under the topic 'round:<id>').

Before a bulk SMS send staff see what it costs (`sms_cost`: messages and segments). An SMS carries a short form of
the title and the municipality's name (survey.kernel.sms_fit) so that every message fits in sms_text.MAX_SEGMENTS;
never the link.

The list is kept only beside its invitations and deleted when the round closes (`forget_addresses`, also called
by `flask purge-expired`), with the round's SMS messages (their numbers)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import String, cast, delete, func, or_, select, update

from survey.kernel import codes, outbox, sms, sms_fit
from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.outbox import Message, Recipient
from survey.kernel.parsers import parse_email
from survey.kernel.sms_text import measure, parse_mobile
from survey.kernel.urls import public_url
from survey.questionnaire.models import EmailInvitation, Invitation, Round
from survey.questionnaire.rounds import INVITATION_CODE_LENGTH, INVITATION_PURPOSE

#: addresses one batch sends (one transaction); the page sends one batch per click, the CLI all of them
BATCH = 200
#: the most lines one list may have (its request may be as large as a data file: kernel.uploads; 10,000 addresses
#: and their confirmation fit)
MAX_LINES = 10_000
_SEPARATORS = re.compile(r"[,;\t]")
EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)


class SendRefused(Exception):
    """The round takes no invitations now: `reason` is 'closed' or 'not_invitation'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    """A line of the list that is skipped, and why (in the current language)."""

    line: int
    reason: str


@dataclass
class AddressList:
    """A pasted or uploaded list read: the addresses to invite and the lines skipped."""

    addresses: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Progress:
    """Counts only: the page never shows the addresses."""

    addresses: int
    sent: int
    used: int
    reminded: int
    #: sent, code unused, no reminder yet
    remindable: int

    @property
    def unsent(self) -> int:
        return self.addresses - self.sent


def check_round(round_: Round, now: datetime | None = None) -> None:
    """Raise SendRefused unless the round uses invitations and has not closed."""
    if not round_.uses_invitations:
        raise SendRefused("not_invitation")
    if round_.state(now) == "closed":
        raise SendRefused("closed")


def _candidate(line: str, channel: str) -> str:
    """The part of a line that should be the address: the line itself, or in a CSV row the one field with an @
    (a mobile number: the one field of digits, spaces and a leading +)."""
    parts = [part.strip().strip('"') for part in _SEPARATORS.split(line)]
    if channel == SMS:
        found = [part for part in parts if part.replace(" ", "").removeprefix("+").isdigit()]
    else:
        found = [part for part in parts if "@" in part]
    return found[0] if len(found) == 1 else line


def _parse(text: str, channel: str) -> str:
    """The address in its stored form; raises ValueError when it is none."""
    if channel == SMS:
        return parse_mobile(text)
    try:
        return parse_email(text)
    except EmailNotValidError as error:
        raise ValueError(text) from error


def read_address_list(round_: Round, text: str, channel: str = EMAIL) -> AddressList:
    """Read a list, one address a line (or a CSV row with one field holding it); blank lines are left out.
    Bad lines are reported with their number and skipped: not an address, twice in the list, already invited."""
    result = AddressList()
    seen: dict[str, int] = {}
    invited = set(db.session.scalars(select(EmailInvitation.address).where(EmailInvitation.round_id == round_.id)))
    for number, line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        if not line.strip():
            continue
        try:
            address = _parse(_candidate(line.strip(), channel), channel)
        except ValueError:
            reason = _("ikke et mobilnummer") if channel == SMS else _("ikke en e-mailadresse")
            result.problems.append(Problem(number, reason))
            continue
        if address in seen:
            reason = _("står i listen to gange (første gang i linje %(first)d)", first=seen[address])
            result.problems.append(Problem(number, reason))
        elif address in invited:
            result.problems.append(Problem(number, _("er allerede inviteret til denne runde")))
        else:
            seen[address] = number
            result.addresses.append(address)
    if len(text.splitlines()) > MAX_LINES:
        result.problems.append(Problem(MAX_LINES + 1, _("listen er for lang: linjerne herfra er ikke læst")))
    return result


def add_addresses(round_: Round, addresses: list[str], channel: str = EMAIL) -> int:
    """Store the confirmed addresses, each with an invitation of its own paired at random; nothing is sent yet.
    Returns how many. Only flushes."""
    check_round(round_)
    # each with a code nobody knows: sending gives it a fresh one, whose hash replaces this one
    invitations = [Invitation(round=round_, code_hash=_unknown_code_hash()) for _address in addresses]
    db.session.add_all(invitations)
    db.session.flush()
    secrets.SystemRandom().shuffle(invitations)
    for address, invitation in zip(addresses, invitations, strict=True):
        db.session.add(
            EmailInvitation(round_id=round_.id, channel=channel, address=address, invitation_id=invitation.id)
        )
    db.session.flush()
    return len(addresses)


def _unknown_code_hash() -> str:
    return codes.keyed_hash(codes.new_code(INVITATION_CODE_LENGTH), INVITATION_PURPOSE)


def _new_code(invitation: Invitation) -> str:
    """Give the invitation a fresh code and return it: only its keyed hash is kept, the code goes in the mail."""
    code = codes.new_code(INVITATION_CODE_LENGTH)
    invitation.code_hash = codes.keyed_hash(code, INVITATION_PURPOSE)
    return code


def _batch(round_: Round, channel: str, condition, limit: int) -> list[tuple[EmailInvitation, Invitation]]:
    """Up to `limit` addresses of the round meeting `condition` with their unused invitations, row-locked on
    PostgreSQL so that two batches at once take turns instead of mailing the same people."""
    query = (
        select(EmailInvitation, Invitation)
        .join(Invitation, Invitation.id == EmailInvitation.invitation_id)
        .where(EmailInvitation.round_id == round_.id, EmailInvitation.channel == channel)
        .where(condition, Invitation.used.is_(False))
        .order_by(EmailInvitation.id)
        .limit(limit)
        .with_for_update(of=[EmailInvitation, Invitation])
    )
    return [(row.EmailInvitation, row.Invitation) for row in db.session.execute(query)]


def send_invitations(round_: Round, limit: int | None = None, channel: str = EMAIL) -> int:
    """Send the next `limit` addresses not yet sent their code; returns how many. Only flushes: the caller
    commits, and the outbox sends after the commit (a rollback sends nothing and marks nothing)."""
    check_round(round_)
    batch = _batch(round_, channel, EmailInvitation.sent.is_(False), limit or BATCH)
    for address, invitation in batch:
        address.sent = True
        _queue(round_, address, _new_code(invitation), reminder=False)
    db.session.flush()
    return len(batch)


def send_reminders(round_: Round, limit: int | None = None, channel: str = EMAIL) -> int:
    """Remind the next `limit` addresses whose code is still unused, each with a fresh code (the first one stops
    working); returns how many. Only flushes."""
    check_round(round_)
    condition = EmailInvitation.sent.is_(True) & EmailInvitation.reminded.is_(False) & EmailInvitation.used.is_(False)
    batch = _batch(round_, channel, condition, limit or BATCH)
    for address, invitation in batch:
        address.reminded = True
        _queue(round_, address, _new_code(invitation), reminder=True)
    db.session.flush()
    return len(batch)


def _queue(round_: Round, address: EmailInvitation, code: str, reminder: bool) -> None:
    outbox.queue(_message(round_, address.channel, address.address, code, reminder))


def _message(round_: Round, channel: str, address: str, code: str, reminder: bool) -> Message:
    questionnaire = round_.questionnaire
    config = current_app.config
    municipality = questionnaire.policy.municipality or config["CONTROLLER_NAME"]
    start = public_url("questionnaire.start", round_slug=round_.slug)
    context = {
        "municipality": municipality,
        "title": questionnaire.title,
        "code": codes.grouped(code),
        "address": start,
        # as a letter's QR code (letters.Letter.link), naming the channel: the start page asks for the code "fra din
        # e-mail" / "fra din sms" (questionnaire.forms.CODE_SOURCES)
        "link": f"{start}?kode={code}&fra={'sms' if channel == SMS else 'e-mail'}",
        "last_moment": round_.last_moment,
        "contact": config["CONTROLLER_EMAIL"],
        "sender": municipality,
        "helpline": questionnaire.policy.contact,  # a human to call, at the foot of the mail (mail/layout)
    }
    if reminder:
        subject = _("Påmindelse: Hvad synes du om %(municipality)s?", municipality=municipality)
    else:
        subject = _("Hvad synes du om %(municipality)s? Svar på en kort undersøgelse", municipality=municipality)
    template = "survey_reminder" if reminder else "survey_invitation"
    if channel == SMS:
        message = Message(Recipient(phone=address), template, subject, context, topic=sms_topic(round_))
        return sms_fit.fitted(message, {"title": questionnaire.title, "municipality": municipality})
    return Message(Recipient(email=address), template, subject, context)


def sms_topic(round_: Round) -> str:
    """What the round's SMS messages are filed under in the SMS outbox."""
    return f"round:{round_.id}"


@dataclass(frozen=True)
class Cost:
    """What a bulk SMS send costs: messages, and segments in all (what the gateway charges)."""

    messages: int
    segments: int


def sms_cost(round_: Round, count: int, reminder: bool = False) -> Cost:
    """What sending `count` invitations (or reminders) of the round by SMS costs. Codes have one length, so one
    message rendered with a code nobody gets measures them all."""
    if not count:
        return Cost(0, 0)
    message = _message(round_, SMS, "", codes.new_code(INVITATION_CODE_LENGTH), reminder)
    with force_locale(message.language):
        size = measure(sms.render_text(message))
    return Cost(count, count * size.segments)


def code_used(invitation: Invitation) -> None:
    """The survey was begun with this invitation's code: mark its address used and drop the link to the
    invitation, in the caller's transaction. Only executes."""
    with db.session.no_autoflush:  # the caller's draft is not complete yet (start_draft flushes it after this)
        db.session.execute(
            update(EmailInvitation)
            .where(EmailInvitation.invitation_id == invitation.id)
            .values(used=True, invitation_id=None)
            .execution_options(synchronize_session=False)
        )


def progress(round_: Round, channel: str = EMAIL) -> Progress:
    """How far the round's invitations by `channel` have come, in counts."""
    counts = db.session.execute(
        select(
            func.count(EmailInvitation.id),
            func.count(EmailInvitation.id).filter(EmailInvitation.sent.is_(True)),
            func.count(EmailInvitation.id).filter(EmailInvitation.used.is_(True)),
            func.count(EmailInvitation.id).filter(EmailInvitation.reminded.is_(True)),
            func.count(EmailInvitation.id).filter(
                EmailInvitation.sent.is_(True), EmailInvitation.reminded.is_(False), EmailInvitation.used.is_(False)
            ),
        ).where(EmailInvitation.round_id == round_.id, EmailInvitation.channel == channel)
    ).one()
    return Progress(*counts)


def remove_address(round_: Round, typed: str, channel: str = EMAIL) -> bool:
    """Delete one address from the round's list (someone asked not to be mailed or texted); True if it was there.
    Its invitation stays (a code already sent keeps working). Only flushes."""
    try:
        address = _parse(typed, channel)
    except ValueError:
        return False
    result = db.session.execute(
        delete(EmailInvitation).where(
            EmailInvitation.round_id == round_.id,
            EmailInvitation.channel == channel,
            EmailInvitation.address == address,
        )
    )
    return result.rowcount > 0


def forget_addresses(round_: Round) -> int:
    """Delete the round's whole list, addresses and numbers, and its SMS messages (they hold the numbers); the
    invitations stay (only keyed hashes). Returns how many addresses and numbers went."""
    result = db.session.execute(delete(EmailInvitation).where(EmailInvitation.round_id == round_.id))
    sms.forget(sms_topic(round_))
    db.session.flush()
    return result.rowcount


def forget_expired_addresses(now: datetime | None = None) -> int:
    """forget_addresses for every round past its closing time; returns how many addresses and numbers went. Only
    flushes."""
    texted = sms.SmsMessage.topic == "round:" + cast(Round.id, String)
    closed = select(Round).where(
        Round.closes_at <= (now or utcnow()),
        or_(
            select(EmailInvitation.id).where(EmailInvitation.round_id == Round.id).exists(),
            select(sms.SmsMessage.id).where(texted).exists(),
        ),
    )
    return sum(forget_addresses(round_) for round_ in db.session.scalars(closed).all())
