"""`flask staff …`"""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.extensions import db
from survey.staff.models import ROLES, StaffUser
from survey.staff.services import create_staff

staff_cli = AppGroup("staff", help="Medarbejdere.")


@staff_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="")
@click.password_option("--password", help="Spørges der om, hvis den ikke gives (mindst 12 tegn).")
def create(email, role, name, password):
    """Create a staff user."""
    try:
        user = create_staff(email, role, password, name)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    click.echo(f"Oprettet: {user.email} ({user.role})")


@staff_cli.command("list")
def list_staff():
    """Print every staff user with role and status."""
    for user in db.session.scalars(select(StaffUser).order_by(StaffUser.email)):
        click.echo(f"{user.email}\t{user.role}\t{'aktiv' if user.active else 'deaktiveret'}")
