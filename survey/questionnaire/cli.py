"""`flask questionnaires …`, `flask rounds …`, `flask invitations …`"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey.kernel.clock import local_to_utc, to_local
from survey.kernel.datafiles import FILES, load_all
from survey.kernel.extensions import db
from survey.kernel.urls import public_url
from survey.questionnaire import letters
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Round
from survey.questionnaire.round_admin import RoundChangeRefused, close_round, extend_round, open_round_now
from survey.questionnaire.rounds import RoundsOverlap, create_round, latest_questionnaire, open_rounds
from survey.questionnaire.services import purge_expired_drafts

questionnaires_cli = AppGroup("questionnaires", help="Spørgeskemaer: indlæs fra datafiler.")
rounds_cli = AppGroup("rounds", help="Runder: opret, vis, åbn, luk og forlæng.")
LOCAL_TIME = click.DateTime(["%Y-%m-%d", "%Y-%m-%d %H:%M"])
invitations_cli = AppGroup("invitations", help="Personlige engangskoder til en runde.")


@questionnaires_cli.command("load")
@FILES
def load(files):
    """Create, update or version questionnaires from YAML files (all or nothing)."""
    for path, questionnaire, outcome in load_all(load_questionnaire, files):
        click.echo(f"{path}: {questionnaire.slug} version {questionnaire.version}: {outcome}")


@rounds_cli.command("create")
@click.option("--questionnaire", "slug", required=True, help="Spørgeskemaets slug (seneste version bruges).")
@click.option("--label", required=True, help='Fx "2026 1. halvår".')
@click.option("--opens", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%d %H:%M"]), required=True, help="Dansk tid.")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%d %H:%M"]), required=True, help="Dansk tid.")
@click.option("--access", type=click.Choice(["open", "invitation"]), default="open", show_default=True)
@click.option("--slug", "round_slug", default=None, help="Rundens del af adressen (dannes ellers af navnet).")
@click.option(
    "--allow-overlap", is_flag=True, help="Opret runden, selv om den overlapper en åben eller kommende runde."
)
@click.option("--one-question-per-page", is_flag=True, help="Ét spørgsmål ad gangen (godt på en telefon).")
def create(slug, label, opens, closes, access, round_slug, allow_overlap, one_question_per_page):
    """Open a round of a questionnaire."""
    questionnaire = latest_questionnaire(slug)
    if questionnaire is None:
        raise click.BadParameter(f"intet spørgeskema med slug {slug!r}", param_hint="--questionnaire")
    opens_at, closes_at = local_to_utc(opens), local_to_utc(closes)
    try:
        round_ = create_round(
            questionnaire,
            label,
            opens_at,
            closes_at,
            access,
            round_slug,
            allow_overlap=allow_overlap,
            one_question_per_page=one_question_per_page,
        )
    except RoundsOverlap as error:
        raise click.UsageError(
            f"Runden overlapper en åben eller kommende runde af samme spørgeskema: "
            f"{', '.join(other.slug for other in error.rounds)}. Så fordeles borgerne på to runder. "
            "Tilføj --allow-overlap, hvis de to runder må overlappe."
        ) from error
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    click.echo(f"Runde {round_.slug} oprettet: {public_url('questionnaire.start', round_slug=round_.slug)}")


@rounds_cli.command("list")
def list_rounds():
    """Print every open round with its public address."""
    rounds = open_rounds()
    if not rounds:
        click.echo("Ingen åbne runder.")
    for round_ in rounds:
        last_day = to_local(round_.last_moment)
        click.echo(
            f"{round_.slug}\t{round_.label}\t{round_.access}\ttil og med {last_day:%Y-%m-%d}\t"
            f"{public_url('questionnaire.start', round_slug=round_.slug)}"
        )


def _round(slug: str) -> Round:
    round_ = db.session.scalar(select(Round).where(Round.slug == slug))
    if round_ is None:
        raise click.BadParameter(f"ingen runde med adressen {slug!r}", param_hint="--round")
    return round_


def _change(round_: Round, change) -> None:
    """Apply a change through its service (the same as the staff page's) and commit; refusals in Danish. The audit
    event (round_changed, with the command) is written by staff.cli_audit, as for every command."""
    try:
        change(round_)
    except RoundChangeRefused as refused:
        raise click.UsageError(str(refused)) from refused
    db.session.commit()


@rounds_cli.command("open")
@click.option("--round", "round_slug", required=True)
def open_now(round_slug):
    """Open an upcoming round now."""
    round_ = _round(round_slug)
    _change(round_, open_round_now)
    click.echo(f"Runde {round_.slug} er åben: {public_url('questionnaire.start', round_slug=round_.slug)}")


@rounds_cli.command("close")
@click.option("--round", "round_slug", required=True)
def close_now(round_slug):
    """Close an open round now, early. A closed round is final."""
    round_ = _round(round_slug)
    _change(round_, close_round)
    click.echo(f"Runde {round_.slug} er lukket.")


@rounds_cli.command("extend")
@click.option("--round", "round_slug", required=True)
@click.option("--closes", type=LOCAL_TIME, required=True, help="Den nye, senere lukketid i dansk tid.")
def extend(round_slug, closes):
    """Give an upcoming or open round a later closing time."""
    round_ = _round(round_slug)
    _change(round_, lambda r: extend_round(r, local_to_utc(closes)))
    click.echo(f"Runde {round_.slug} lukker nu {to_local(round_.closes_at):%Y-%m-%d %H:%M} (dansk tid).")


@rounds_cli.command("purge-drafts")
def purge_drafts():
    """Delete unsent answers of closed rounds (safe to run from cron as often as you like)."""
    removed = purge_expired_drafts(retention_days=current_app.config["DRAFT_RETENTION_DAYS"])
    db.session.commit()
    click.echo(f"Slettede {removed} påbegyndte, ikke sendte besvarelser fra lukkede runder.")


@invitations_cli.command("create")
@click.option("--round", "round_slug", required=True)
@click.option("--count", type=click.IntRange(1, 100_000), required=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Ny mappe til breve.pdf og koder.csv (standard: instance/invitations/<runde>/<tidspunkt>).",
)
def create_codes(round_slug, count, out):
    """Make single-use codes and their letters: breve.pdf (one A4 letter per code) and koder.csv for mail merge, the
    same files as the staff page's letters."""
    round_ = letters.invitation_round(round_slug)
    if round_ is None:
        raise click.BadParameter("ingen runde med det navn, der bruger invitationer", param_hint="--round")
    out = out or letters.default_folder(round_)
    if letters.letters_in(out):
        raise click.BadParameter(
            f"{out} har allerede breve; vælg en anden mappe (de gamle koder virker stadig)", param_hint="--out"
        )
    pdf, table = letters.write_letters(round_, letters.create_letters(round_, count), out)
    db.session.commit()
    click.echo(f"{count} breve til {round_.slug} skrevet i {pdf} og {table} (kun kodernes hash er gemt i databasen).")
