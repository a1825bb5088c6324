"""`flask purge-expired`: delete personal data whose time is up. Cron-safe: a repeated run finds nothing more,
and two runs at the same time take turns (the meetings are row-locked) instead of counting twice or failing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, select

from survey.kernel import sms
from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.meetings.models import Meeting, Registration
from survey.meetings.services import forget_meeting_messages, keep_anonymous_counts
from survey.questionnaire.email_invitations import forget_expired_addresses
from survey.questionnaire.letters import purge_letter_files
from survey.questionnaire.response_rate import restamp_days
from survey.questionnaire.services import purge_expired_drafts
from survey.staff.audit import audit_system, purge_audit_events
from survey.staff.models import AuditEvent


@dataclass
class PurgeReport:
    registrations: int = 0
    meeting_ids: list[int] = field(default_factory=list)
    drafts: int = 0
    #: e-mail addresses of invitation rounds that have closed
    email_addresses: int = 0
    #: batches of invitation letters (their codes in plaintext) past LETTERS_KEEP_HOURS or of closed rounds
    letter_files: int = 0
    audit_events: int = 0
    #: sent or failed SMS messages (their numbers) past SMS_KEEP_DAYS
    sms_messages: int = 0

    @property
    def anything(self) -> bool:
        counts = (self.registrations, self.drafts, self.email_addresses, self.letter_files, self.audit_events)
        return any(counts) or bool(self.sms_messages)


def purge_expired_registrations(
    now: datetime | None = None, retention_days: int = 30, report: PurgeReport | None = None
) -> int:
    """Hard-delete the registrations of meetings that ended `retention_days` ago, keeping anonymous counts per
    meeting (registered, attended, by role) and the topics without names. Returns how many were deleted.

    The meetings are locked first (FOR UPDATE on PostgreSQL; SQLite writers begin IMMEDIATE), and their sign-ups
    are read after the lock: a run that waited for another finds them gone and counts nothing twice."""
    report = report if report is not None else PurgeReport()
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    expired = (
        select(Meeting)
        .where(Meeting.ends_at <= cutoff, Meeting.registrations.any())
        .order_by(Meeting.id)
        .with_for_update(of=Meeting)
    )
    for meeting in db.session.scalars(expired).all():
        registrations = list(db.session.scalars(select(Registration).where(Registration.meeting_id == meeting.id)))
        if not registrations:
            continue
        keep_anonymous_counts(meeting, registrations)
        forget_meeting_messages(meeting)  # the SMS rows hold their numbers
        # a bulk delete: topics lose the link by ON DELETE SET NULL and keep no name
        result = db.session.execute(delete(Registration).where(Registration.meeting_id == meeting.id))
        report.registrations += result.rowcount
        report.meeting_ids.append(meeting.id)
    db.session.flush()
    return report.registrations


def purge_expired_audit_events(now: datetime | None = None, retention_days: int = 365) -> int:
    """Delete audit events older than `retention_days` through the audit log's own guarded purge (which logs
    itself); does nothing, and logs nothing, when no event is that old. Returns how many. Only flushes."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    if db.session.scalar(select(AuditEvent.id).where(AuditEvent.at < cutoff).limit(1)) is None:
        return 0
    return purge_audit_events(before=cutoff)


def purge_expired(now: datetime | None = None) -> PurgeReport:
    """Everything whose retention period is over, in one transaction, with one audit event saying what went
    (counts and meeting ids, never personal data; actor "system"). Commits."""
    config = current_app.config
    report = PurgeReport()
    purge_expired_registrations(now, config["REGISTRATION_RETENTION_DAYS"], report)
    report.drafts = purge_expired_drafts(now, config["DRAFT_RETENTION_DAYS"])
    report.email_addresses = forget_expired_addresses(now)  # kept only while their round is open
    report.letter_files = purge_letter_files(now)  # files: deleted at once, whether or not the commit follows
    report.audit_events = purge_expired_audit_events(now, config["AUDIT_RETENTION_DAYS"])
    report.sms_messages = sms.purge(now)
    restamp_days()  # the counts per day no longer carry the transaction id of a submit (response_rate)
    if report.anything:
        audit_system(
            "purge_expired",
            target="retention",
            registrations=report.registrations,
            meetings=report.meeting_ids,
            drafts=report.drafts,
            email_addresses=report.email_addresses,
            letter_files=report.letter_files,
            audit_events=report.audit_events,
            sms_messages=report.sms_messages,
        )
    db.session.commit()
    return report


@click.command("purge-expired")
@with_appcontext
def purge_expired_command():
    """Delete expired personal data: meeting sign-ups and the audit log after their retention periods, unsent
    survey drafts and the invitation e-mail addresses of closed rounds."""
    report = purge_expired()
    click.echo(
        f"Slettet: {report.registrations} tilmeldinger til afholdte møder, {report.drafts} ikke sendte "
        f"besvarelser, {report.email_addresses} e-mailadresser fra lukkede runder, {report.audit_events} "
        f"hændelser i revisionsloggen, {report.sms_messages} gamle SMS'er."
    )
    if report.letter_files:
        click.echo(f"Breve med koder (filer): {report.letter_files}.")
    if report.meeting_ids:
        click.echo(f"Møder: {', '.join(str(i) for i in report.meeting_ids)}.")
