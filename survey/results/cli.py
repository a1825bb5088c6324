"""`flask results …`: operations on the results' kept sums."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.questionnaire.models import Round
from survey.results.sums import rebuild_sums

results_cli = AppGroup("results", help="Resultaterne til udvalget.")


@results_cli.command("rebuild-sums")
@click.option("--round", "round_slugs", multiple=True, help="Rundens slug (kan gentages; standard: alle runder).")
def rebuild_sums_command(round_slugs: tuple[str, ...]):
    """Recompute the results' running sums from the answers (all rounds, or the given ones)."""
    round_ids = None
    if round_slugs:
        found = dict(db.session.execute(select(Round.slug, Round.id).where(Round.slug.in_(round_slugs))).all())
        if missing := sorted(set(round_slugs) - set(found)):
            raise click.UsageError(f"Runden findes ikke: {', '.join(missing)}")
        round_ids = list(found.values())
    started = time.perf_counter()
    rows = rebuild_sums(db.session.connection(), round_ids)
    db.session.commit()
    where, elapsed = ", ".join(round_slugs) or "alle runder", time.perf_counter() - started
    click.echo(f"Summerne er genberegnet fra svarene ({where}): {rows} rækker på {elapsed:.1f} s.")
