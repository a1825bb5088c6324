"""The messages that go out on a schedule (cron, `flask meetings …`), each at most once per registration.

Every batch marks its registrations and queues their messages in one transaction: they leave after the commit
(survey.kernel.outbox), so a repeated or overlapping run finds nothing left to send. A message that the SMTP
server refuses after the commit is logged, not retried (an SMS is retried by its own outbox, survey.kernel.sms,
and still sent at most once): a reminder is never sent twice. Only registrations whose chosen contact a
registered channel reaches are picked, so the others stay unmarked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import false, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from survey.kernel import outbox
from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.urls import public_url
from survey.meetings import notify
from survey.meetings.feedback import feedback_round, hand_out_codes
from survey.meetings.models import Meeting, Registration

BATCH = 100


def reachable():
    """SQL condition: the registration is told through a contact that some registered channel sends to."""
    chosen = notify.CONTACT_CHOSEN
    given = [chosen[contact] for contact in sorted(outbox.contacts_reached()) if contact in chosen]
    return or_(*given) if given else false()


def send_in_batches(
    meeting_ids: list[int],
    where,
    mark: InstrumentedAttribute,
    send: Callable[[list[Registration]], None],
    now: datetime,
) -> int:
    """Claim reachable registrations of `meeting_ids` matching `where` whose `mark` is empty, BATCH at a time:
    set `mark`, queue the batch's messages, commit. Rows another run holds are skipped (PostgreSQL); SQLite
    writes one at a time. Returns how many were sent."""
    sent = 0
    while meeting_ids:
        query = (
            select(Registration)
            .where(Registration.meeting_id.in_(meeting_ids), reachable(), mark.is_(None), *where)
            .order_by(Registration.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        batch = list(db.session.scalars(query))
        if not batch:
            db.session.rollback()
            break
        for registration in batch:
            setattr(registration, mark.key, now)
        send(batch)
        db.session.commit()
        sent += len(batch)
    return sent


def meetings_due_a_reminder(now: datetime) -> list[int]:
    """Published meetings that have not started and start within their own `reminder_days`."""
    upcoming = db.session.scalars(select(Meeting).where(Meeting.status == "published", Meeting.starts_at > now))
    return [m.id for m in upcoming if m.starts_at - timedelta(days=m.reminder_days) <= now]


def send_reminders(now: datetime | None = None) -> int:
    """Remind every confirmed sign-up of a meeting that is due, once. Returns how many were sent."""
    now = now or utcnow()
    where = (Registration.status == "confirmed",)
    due = meetings_due_a_reminder(now)
    return send_in_batches(due, where, Registration.reminder_sent_at, _each(notify.reminder), now)


def _each(send: Callable[[Registration], None]) -> Callable[[list[Registration]], None]:
    return lambda batch: [send(registration) for registration in batch]


def send_feedback(now: datetime | None = None) -> int:
    """Give everyone who came to an ended meeting a single-use code for its feedback survey, once.
    Returns how many were sent; raises LookupError when a policy's feedback questionnaire is not loaded."""
    now = now or utcnow()
    ended = db.session.scalars(select(Meeting.id).where(Meeting.status == "published", Meeting.ends_at <= now))

    def send(batch: list[Registration]) -> None:
        for meeting_id in {registration.meeting_id for registration in batch}:
            people = [registration for registration in batch if registration.meeting_id == meeting_id]
            meeting = db.session.get(Meeting, meeting_id)
            codes = hand_out_codes(meeting, people)
            start = public_url("questionnaire.start", round_slug=feedback_round(meeting).slug)
            for registration in people:
                notify.feedback(registration, f"{start}?kode={codes[registration.id]}")

    return send_in_batches(list(ended), (Registration.attended.is_(True),), Registration.feedback_sent_at, send, now)
