"""`flask meetings …`: run the scheduled messages (survey.meetings.scheduled) from cron."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from survey.kernel.extensions import db
from survey.meetings.scheduled import send_feedback, send_reminders

meetings_cli = AppGroup("meetings", help="Dialogmøder: påmindelser og opfølgning.")


def _moment(_ctx, _param, value: str | None) -> datetime | None:
    """--now as an ISO date and time; without a zone it is UTC, like the stored times."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("brug ISO-format, fx 2026-12-01T08:00") from error
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


NOW = click.option("--now", callback=_moment, help="Lad som om klokken er dette (ISO, UTC); til afprøvning.")


@meetings_cli.command("send-reminders")
@NOW
def send_reminders_command(now):
    """Send the reminders that are due (cron-safe: each registration gets at most one)."""
    click.echo(f"Sendt: {send_reminders(now)} påmindelser.")


@meetings_cli.command("send-feedback")
@NOW
def send_feedback_command(now):
    """Send the feedback message (e-mail or SMS) to those who attended a meeting that has ended (cron-safe: at most
    once each)."""
    try:
        sent = send_feedback(now)
    except LookupError as error:
        db.session.rollback()
        raise click.ClickException(f"Intet sendt: {error}. Indlæs det med 'flask questionnaires load'.") from error
    click.echo(f"Sendt: {sent} beskeder (e-mail eller sms) med en kode til evaluering af mødet.")
