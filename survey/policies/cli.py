"""`flask policies …`"""

import click
from flask.cli import AppGroup

from survey.kernel.datafiles import FILES, load_all
from survey.policies.services import load_policy

policies_cli = AppGroup("policies", help="Politikker: indlæs og opdatér fra datafiler.")


@policies_cli.command("load")
@FILES
def load(files):
    """Create or update policies from YAML files (all or nothing)."""
    for path, policy, changes in load_all(load_policy, files):
        summary = ", ".join(changes) if changes else "ingen ændringer"
        click.echo(f"{path}: {policy.slug} ({len(policy.focus_areas)} {policy.focus_area_term}r): {summary}")
