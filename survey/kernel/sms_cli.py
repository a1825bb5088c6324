"""`flask sms send`: send the SMS messages that are due (cron, every minute): retries after a gateway failure."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from survey.kernel import sms

sms_cli = AppGroup("sms", help="SMS: send what is due.")


@sms_cli.command("send")
@click.option("--limit", type=int, default=None, help="At most this many messages.")
def send_command(limit: int | None) -> None:
    """Send queued SMS messages that are due, and mark those whose sender stopped mid-send as unknown."""
    counts = sms.send_due(limit=limit)
    total = sum(counts.values())
    details = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
    click.echo(f"{total} SMS behandlet" + (f" ({details})" if details else ""))
