"""The Flask CLI: operational commands, one group per capability, and what they share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask

from survey.datafile import DataFileError
from survey.extensions import db


def load_all(loader: Callable[[str], tuple], files: tuple[str, ...]) -> list[tuple]:
    """Run `loader` on every file in one transaction: all are stored, or, at the first bad file, none.

    Returns (path, *what the loader returned) per file; a rejected file is printed with every problem and
    ends the command with exit code 1."""
    try:
        results = [(path, *loader(path)) for path in files]
    except DataFileError as error:
        db.session.rollback()
        click.echo(f"Afvist: {error.path} (intet er gemt)", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from error
    db.session.commit()
    return results


FILES = click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))


def register_cli(app: Flask) -> None:
    from survey.backup import backup_command
    from survey.demo import demo_cli
    from survey.i18n_cli import i18n_cli
    from survey.meetings.cli import meetings_cli
    from survey.policies.cli import policies_cli
    from survey.questionnaire.cli import invitations_cli, questionnaires_cli, rounds_cli
    from survey.results.cli import results_cli
    from survey.results.synthetic import generate_responses_command
    from survey.retention import purge_expired_command
    from survey.staff.cli import staff_cli

    for group in (policies_cli, questionnaires_cli, rounds_cli, invitations_cli, staff_cli, demo_cli, i18n_cli):
        app.cli.add_command(group)
    app.cli.add_command(purge_expired_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(meetings_cli)
    app.cli.add_command(results_cli)
    demo_cli.add_command(generate_responses_command)
