"""The SMS channel of the outbox: a transactional outbox table, sent at most once, retried while the gateway is
down, with delivery reports back from the gateway.

Rendering (`SmsChannel.render`, inside the caller's transaction) adds an `SmsMessage` row: the message exists
exactly when the sign-up or the invitation it belongs to does. After the commit the channel tries to send it at
once; what could not be sent waits for `flask sms send` (cron, every minute) with back-off.

Never twice: a message is claimed (status 'sending', committed) before the gateway is asked, and marked after.
A sender killed between the two leaves the message 'sending'; it is never sent again but turns 'unknown' after
STALE and is shown to staff, because the gateway may have taken it. Only answers that prove the gateway did not
take the message (no connection, an HTTP error status) are retried.

Personal data: the text (which may carry a code or a link) is deleted as soon as the gateway has taken the message
or has refused it for good; the number is kept for staff to see whom a message did not reach, until
`forget(topic)` (a round closes) or `purge(now)` (SMS_KEEP_DAYS, `flask purge-expired`).

Backends (SMS_BACKEND): 'kannel' (survey.kernel.kannel, production), 'file' (SMS_FILE_PATH, `make run`; staff read
them on /personale/sms), 'memory' (tests)."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import Boolean, DateTime, Integer, String, Text, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.outbox import Channel, Message
from survey.kernel.sms_text import measure, tidy

#: statuses; 'queued' and 'sending' are open, the others are final
QUEUED, SENDING, SENT, DELIVERED, FAILED, UNKNOWN = "queued", "sending", "sent", "delivered", "failed", "unknown"
OPEN = (QUEUED, SENDING)
PROBLEMS = (FAILED, UNKNOWN)
#: minutes to wait after the n-th failed attempt; after the last, the message has failed for good
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
#: a message claimed this long ago and never marked: its sender died, maybe after the gateway took it
STALE = timedelta(minutes=10)
BACKENDS = "sms_backend"


class SmsMessage(db.Model):
    """One SMS to one number. `topic` names what it belongs to ('registration:12', 'round:5') so that staff
    pages can show the failures of their own meeting or round, and a closing round can forget its numbers."""

    __tablename__ = "sms_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: E.164; None once forgotten
    to_number: Mapped[str | None] = mapped_column(String(16))
    #: None as soon as the gateway has taken or refused the message
    body: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(10), default="da")
    encoding: Mapped[str] = mapped_column(String(4))
    segments: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str | None] = mapped_column(String(60), index=True)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    #: no retry and no number kept: the citizen asked for it on a page that tells them at once if it failed
    transient: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: the last delivery report's type (Kannel: 1 delivered, 2 failed, 4 buffered, 8 taken by the SMSC,
    #: 16 refused by the SMSC)
    report: Mapped[int | None] = mapped_column(Integer)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: why it failed, for staff (no personal data)
    error: Mapped[str | None] = mapped_column(String(200))


@dataclass(frozen=True)
class OutgoingSms:
    """What a backend gets: our id (for the delivery report), the number, the text and its encoding."""

    id: int
    to: str
    text: str
    encoding: str


class TemporaryFailure(Exception):
    """The gateway did not take the message and may later (down, overloaded): try again."""


class PermanentFailure(Exception):
    """The gateway refused the message for good (a number it will not send to, a rejected login)."""


class UnknownOutcome(Exception):
    """The request went out and no answer came: the gateway may have taken the message. Never retried (it would
    go out twice); 'unknown' for staff."""


class Backend(Protocol):
    def send(self, sms: OutgoingSms) -> None:
        """Hand the message to the gateway; raises TemporaryFailure, PermanentFailure or UnknownOutcome."""


class FileBackend:
    """Each message as a text file in SMS_FILE_PATH (`make run`): admins read them on /personale/sms."""

    #: '<UTC time>-<message id>.txt' ('20261206-164300-12.txt'); the sink page opens no other name
    FILE_NAME = re.compile(r"(?P<stamp>\d{8}-\d{6})-(?P<id>\d+)\.txt")
    STAMP = "%Y%m%d-%H%M%S"

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def send(self, sms: OutgoingSms) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime(self.STAMP)
        path = self.folder / f"{stamp}-{sms.id}.txt"
        path.write_text(f"To: {sms.to}\nEncoding: {sms.encoding}\n\n{sms.text}\n", encoding="utf-8")


class MemoryBackend:
    """Keeps what it was given (tests); `fail` makes the next sends raise."""

    def __init__(self) -> None:
        self.sent: list[OutgoingSms] = []
        self.fail: Exception | None = None

    def send(self, sms: OutgoingSms) -> None:
        if self.fail is not None:
            raise self.fail
        self.sent.append(sms)


def backend() -> Backend:
    return current_app.extensions[BACKENDS]


def _make_backend(app: Flask) -> Backend:
    kind = app.config["SMS_BACKEND"]
    if kind == "file":
        return FileBackend(app.config["SMS_FILE_PATH"])
    if kind == "memory":
        return MemoryBackend()
    if kind == "kannel":
        from survey.kernel.kannel import KannelBackend

        return KannelBackend.from_config(app.config)
    raise ValueError(f"SMS_BACKEND must be kannel, file or memory, not {kind!r}")


class SmsChannel(Channel):
    """Reaches everyone who gave a mobile number: sms/<template>.txt, in the message's language."""

    name = "sms"
    contact = "phone"

    def init_app(self, app: Flask) -> None:
        app.extensions[BACKENDS] = _make_backend(app)

    def render(self, message: Message) -> int:
        text = render_text(message)
        size = measure(text)
        row = SmsMessage(
            to_number=message.recipient.phone,
            body=text,
            template=message.template,
            language=message.language,
            encoding=size.encoding,
            segments=size.segments,
            topic=message.topic,
            transient=message.transient,
            status=QUEUED,
            next_attempt_at=utcnow(),
        )
        db.session.add(row)
        db.session.flush()  # its id, for the send after the commit
        return row.id

    def send(self, rendered: int) -> None:
        send_one(rendered)


def render_text(message: Message) -> str:
    """sms/<template>.txt filled in (without the page context processors: also sent from the CLI)."""
    context = {"subject": message.subject, **message.context}
    return tidy(current_app.jinja_env.get_template(f"sms/{message.template}.txt").render(context))


def _own_session() -> Session:
    """A session of its own: the outbox sends after the caller's commit, when its session can run no SQL."""
    return Session(db.engine, expire_on_commit=False)


def _claim(session: Session, message_id: int, now: datetime) -> SmsMessage | None:
    """Mark the message 'sending' and commit, when it is queued and due; None when another sender has it."""
    claimed = session.execute(
        update(SmsMessage)
        .where(SmsMessage.id == message_id, SmsMessage.status == QUEUED)
        .values(status=SENDING, claimed_at=now, attempts=SmsMessage.attempts + 1)
    ).rowcount
    session.commit()
    return session.get(SmsMessage, message_id) if claimed else None


def send_one(message_id: int, now: datetime | None = None) -> str | None:
    """Send one queued message through the backend; returns its new status (None: not queued, nothing done)."""
    now = now or utcnow()
    with _own_session() as session:
        message = _claim(session, message_id, now)
        if message is None:
            return None
        sms = OutgoingSms(message.id, message.to_number or "", message.body or "", message.encoding)
        # no transaction is held while the gateway is asked (on SQLite it would hold the write lock): the
        # gateway's delivery report may come in the meantime
        session.commit()
        try:
            backend().send(sms)
        except PermanentFailure as error:
            _finish(message, FAILED, str(error))
        except TemporaryFailure as error:
            _retry_later(message, str(error), now)
        except UnknownOutcome as error:
            _finish(message, UNKNOWN, str(error))
        except Exception as error:  # a bug in a backend must not lose the message: it is retried like a failure
            current_app.logger.exception("SMS backend failed on message %s", message.id)
            _retry_later(message, type(error).__name__, now)
        else:
            _mark_sent(session, message, now)
            session.commit()
            return SENT
        session.commit()
        return message.status


def _mark_sent(session: Session, message: SmsMessage, now: datetime) -> None:
    """The gateway took the message. Its delivery report may have come before its answer: a status the report
    set stays."""
    forgotten = {"to_number": None} if message.transient else {}
    row = update(SmsMessage).where(SmsMessage.id == message.id)
    session.execute(row.values(sent_at=now, error=None, body=None, **forgotten))
    session.execute(row.where(SmsMessage.status == SENDING).values(status=SENT))


def _finish(message: SmsMessage, status: str, error: str) -> None:
    message.status, message.error, message.body = status, error[:200], None
    if message.transient:
        message.to_number = None


def _retry_later(message: SmsMessage, error: str, now: datetime) -> None:
    if message.transient or message.attempts > len(BACKOFF_MINUTES):
        _finish(message, FAILED, error)
        return
    message.status, message.error = QUEUED, error[:200]
    message.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[message.attempts - 1])


def send_due(now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Send every queued message that is due, oldest first, one claim at a time; mark messages whose sender died
    'unknown'. Returns how many ended in each status."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    with _own_session() as session:
        session.execute(
            update(SmsMessage)
            .where(SmsMessage.status == SENDING, SmsMessage.claimed_at <= now - STALE)
            .values(status=UNKNOWN, body=None, error="afsenderen stoppede under afsendelsen")
        )
        session.commit()
        due = select(SmsMessage.id).where(SmsMessage.status == QUEUED, SmsMessage.next_attempt_at <= now)
        ids = list(session.scalars(due.order_by(SmsMessage.id).limit(limit)))
    for message_id in ids:
        status = send_one(message_id, now)
        if status is not None:
            counts[status] = counts.get(status, 0) + 1
    return counts


#: Kannel's delivery report types that end a message
DELIVERED_REPORT, FAILED_REPORT, BUFFERED_REPORT, SMSC_ACCEPTED_REPORT, SMSC_REJECTED_REPORT = 1, 2, 4, 8, 16
FINAL_REPORTS = DELIVERED_REPORT | FAILED_REPORT | SMSC_REJECTED_REPORT


def record_report(message_id: int, report: int, now: datetime | None = None) -> bool:
    """A delivery report from the gateway; returns False for an unknown message. Kannel sends a message's reports
    (delivered, taken by the SMSC) at the same moment: the row is locked (PostgreSQL; SQLite writes one at a time,
    the endpoint begins IMMEDIATE) so that the second reads what the first wrote."""
    message = db.session.get(SmsMessage, message_id, with_for_update=True, populate_existing=True)
    if message is None:
        return False
    if message.status in (DELIVERED, FAILED) and not report & FINAL_REPORTS:
        return True  # Kannel may send "taken by the SMSC" after "delivered": the final report stays
    message.report, message.reported_at = report, now or utcnow()
    if report & DELIVERED_REPORT:
        message.status = DELIVERED
    elif report & (FAILED_REPORT | SMSC_REJECTED_REPORT):
        message.status, message.error = FAILED, "operatøren kunne ikke levere beskeden"
    db.session.commit()
    return True


def report_signature(message_id: int) -> str:
    """The signature in a message's delivery-report URL: only the gateway, which got it with the message, knows it."""
    key = current_app.config["SMS_DLR_SECRET"] or current_app.config["SECRET_KEY"]
    return hmac.new(key.encode(), f"sms-report:{message_id}".encode(), hashlib.sha256).hexdigest()[:32]


def report_signature_valid(message_id: int, signature: str) -> bool:
    return hmac.compare_digest(report_signature(message_id), signature)


def _within(topic: str):
    """SQL: the message's topic is `topic` or a topic under it ('meeting:7' holds 'meeting:7/registration:12';
    'round:3' does not hold 'round:30')."""
    parent = topic.rstrip("/")
    return or_(SmsMessage.topic == parent, SmsMessage.topic.startswith(f"{parent}/", autoescape=True))


def problems(topic: str) -> list[SmsMessage]:
    """Messages of `topic` and the topics under it that failed or whose fate is unknown, newest first."""
    query = select(SmsMessage).where(_within(topic), SmsMessage.status.in_(PROBLEMS))
    return list(db.session.scalars(query.order_by(SmsMessage.id.desc())))


def forget(topic: str) -> int:
    """Delete every message of `topic` and the topics under it (a closing round's invitations, a deleted sign-up,
    all the sign-ups of a meeting whose data is deleted); the caller commits."""
    old = delete(SmsMessage).where(_within(topic))
    return db.session.execute(old.execution_options(synchronize_session=False)).rowcount


def purge(now: datetime | None = None) -> int:
    """Delete finished messages older than SMS_KEEP_DAYS; the caller commits."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["SMS_KEEP_DAYS"])
    old = delete(SmsMessage).where(SmsMessage.created_at <= cutoff, SmsMessage.status.not_in(OPEN))
    return db.session.execute(old).rowcount
