"""`flask invitations send-emails`, `send-reminders`, `send-sms` and `send-sms-reminders`: every batch of a round's
invitations by e-mail or SMS, for cron and automation, through the same services as the staff pages
(survey.questionnaire.email_invitations). `send-sms --file` adds a list of mobile numbers first, as the page's
confirmed list."""

from __future__ import annotations

from functools import partial

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


def _round(round_slug: str) -> Round:
    round_ = db.session.scalar(select(Round).where(Round.slug == round_slug))
    if round_ is None or not round_.uses_invitations:
        raise click.BadParameter("ingen runde med det navn, der bruger invitationer", param_hint="--round")
    return round_


def _send_all(round_slug: str, send, action: str) -> int:
    """Run `send` batch by batch, one transaction each, until it finds nobody more; returns how many in all."""
    round_ = _round(round_slug)
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


@invitations_cli.command("send-sms")
@click.option("--round", "round_slug", required=True)
@click.option("--file", "list_file", type=click.File("r", encoding="utf-8-sig"), help="Mobilnumre, ét pr. linje.")
def send_sms(round_slug, list_file):
    """Add the mobile numbers in --file (if given; bad lines are reported and skipped), then text every number of
    the round that has not had its code yet (safe to run again)."""
    if list_file is not None:
        _add_numbers(_round(round_slug), list_file.read())
    total = _send_all(round_slug, partial(ei.send_invitations, channel=ei.SMS), "sms_invitations_sent")
    click.echo(f"Sendt {total} invitationer på SMS.")


def _add_numbers(round_, text: str) -> None:
    found = ei.read_address_list(round_, text, ei.SMS)
    for problem in found.problems:
        click.echo(f"Linje {problem.line}: {problem.reason}", err=True)
    try:
        added = ei.add_addresses(round_, found.addresses, ei.SMS)
    except ei.SendRefused as refused:
        db.session.rollback()
        raise click.ClickException(REFUSED[refused.reason]) from refused
    cost = ei.sms_cost(round_, added)
    audit_cli("sms_invitations_added", target=f"round:{round_.slug}", addresses=added, skipped=len(found.problems))
    db.session.commit()
    click.echo(f"Tilføjet {added} mobilnumre: {cost.messages} SMS, {cost.segments} SMS-dele i alt.")


@invitations_cli.command("send-sms-reminders")
@click.option("--round", "round_slug", required=True)
def send_sms_reminders(round_slug):
    """Text a reminder to every number whose code is still unused, once, with a fresh code (safe to run again)."""
    total = _send_all(round_slug, partial(ei.send_reminders, channel=ei.SMS), "sms_reminders_sent")
    click.echo(f"Sendt {total} påmindelser på SMS.")
