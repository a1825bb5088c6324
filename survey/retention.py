"""`flask purge-expired`: delete personal data whose time is up. Cron-safe: a repeated run finds nothing more."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, select

from survey.extensions import db
from survey.meetings.models import Meeting, MeetingStats, Registration
from survey.models import utcnow
from survey.questionnaire.services import purge_expired_drafts


def purge_expired_registrations(now: datetime | None = None, retention_days: int = 30) -> int:
    """Delete the registrations of meetings that ended `retention_days` ago, keeping anonymous counts per
    meeting (registered, attended, by role) and the topics without names. Returns how many were deleted."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    expired = select(Meeting).where(Meeting.ends_at <= cutoff, Meeting.registrations.any())
    removed = 0
    for meeting in db.session.scalars(expired):
        stats = db.session.get(MeetingStats, meeting.id) or MeetingStats(
            meeting_id=meeting.id, registered=0, attended=0, by_role={}
        )
        counted = [r for r in meeting.registrations if r.status == "confirmed" and r.kind != "reservation"]
        by_role = Counter(stats.by_role)
        for registration in counted:
            by_role[registration.role] += registration.seats
        stats.registered += sum(r.seats for r in counted)
        stats.attended += sum(r.seats for r in counted if r.attended)
        stats.by_role = dict(by_role)
        db.session.add(stats)
        result = db.session.execute(delete(Registration).where(Registration.meeting_id == meeting.id))
        removed += result.rowcount
    db.session.flush()
    return removed


@click.command("purge-expired")
@with_appcontext
def purge_expired_command():
    """Delete expired personal data: meeting sign-ups after the retention period, unsent survey drafts."""
    config = current_app.config
    registrations = purge_expired_registrations(retention_days=config["REGISTRATION_RETENTION_DAYS"])
    drafts = purge_expired_drafts(retention_days=config["DRAFT_RETENTION_DAYS"])
    db.session.commit()
    click.echo(f"Slettet: {registrations} tilmeldinger til afholdte møder, {drafts} ikke sendte besvarelser.")
