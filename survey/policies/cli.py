"""`flask policies …`"""

import click
from flask.cli import AppGroup

from survey.datafile import DataFileError
from survey.extensions import db
from survey.policies.services import load_policy

policies_cli = AppGroup("policies", help="Politikker: indlæs og opdatér fra datafiler.")


def report_data_file_error(error: DataFileError) -> None:
    """Print every problem of a rejected file and exit non-zero; nothing was stored."""
    db.session.rollback()
    click.echo(f"Afvist: {error.path} (intet er gemt)", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    raise SystemExit(1)


@policies_cli.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def load(files):
    """Create or update policies from YAML files (all or nothing)."""
    try:
        results = [(path, *load_policy(path)) for path in files]
    except DataFileError as error:
        report_data_file_error(error)
    db.session.commit()
    for path, policy, changes in results:
        summary = ", ".join(changes) if changes else "ingen ændringer"
        click.echo(f"{path}: {policy.slug} ({len(policy.focus_areas)} {policy.focus_area_term}r): {summary}")
