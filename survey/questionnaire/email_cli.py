"""`flask invitations send-emails` and `send-reminders`: every batch of a round's e-mail invitations, for cron and
automation, through the same services as the staff page (survey.questionnaire.email_invitations)."""

from __future__ import annotations

import click
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.questionnaire import email_invitations as ei
from survey.questionnaire.cli import invitations_cli
from survey.questionnaire.models import Round
from survey.staff.audit import audit_cli

REFUSED = {
    "closed": "Runden er lukket: der sendes ikke flere invitationer.",
    "not_invitation": "Runden bruger ikke invitationer.",
}


def _send_all(round_slug: str, send, action: str) -> int:
    """Run `send` batch by batch, one transaction each, until it finds nobody more; returns how many in all."""
    round_ = db.session.scalar(select(Round).where(Round.slug == round_slug))
    if round_ is None or not round_.uses_invitations:
        raise click.BadParameter("ingen runde med det navn, der bruger invitationer", param_hint="--round")
    total = 0
    while True:
        try:
            sent = send(round_)
        except ei.SendRefused as refused:
            db.session.rollback()
            raise click.ClickException(REFUSED[refused.reason]) from refused
        if not sent:
            break
        audit_cli(action, target=f"round:{round_.slug}", sent=sent)
        db.session.commit()  # the batch's mails go now; a crash later leaves this batch sent and marked
        total += sent
    return total


@invitations_cli.command("send-emails")
@click.option("--round", "round_slug", required=True)
def send_emails(round_slug):
    """Mail every confirmed address of the round that has not had its code yet (safe to run again)."""
    total = _send_all(round_slug, ei.send_invitations, "email_invitations_sent")
    click.echo(f"Sendt {total} invitationer.")


@invitations_cli.command("send-reminders")
@click.option("--round", "round_slug", required=True)
def send_reminders(round_slug):
    """Remind every address whose code is still unused, once, with a fresh code (safe to run again)."""
    total = _send_all(round_slug, ei.send_reminders, "email_reminders_sent")
    click.echo(f"Sendt {total} påmindelser.")
