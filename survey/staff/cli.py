"""`flask staff …`: staff accounts. Every change is written to the audit log with actor "cli"."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.staff import services
from survey.staff.models import StaffUser

staff_cli = AppGroup("staff", help="Medarbejdere.")

EMAIL = click.option("--email", required=True, help="Medarbejderens e-mailadresse.")


def _user(email: str) -> StaffUser:
    user = services.find_staff(email)
    if user is None:
        raise click.BadParameter(
            f"ingen medarbejder med e-mail {services.normalise_email(email)}", param_hint="--email"
        )
    return user


def _apply(change, *args) -> None:
    """Run a service change, turning a refused value into a usage error, and commit."""
    try:
        change(*args)
    except ValueError as error:
        db.session.rollback()
        raise click.UsageError(str(error)) from error
    db.session.commit()


@staff_cli.command("create")
@EMAIL
@click.option("--role", type=click.Choice(roles.ROLES), required=True)
@click.option("--name", default="")
@click.password_option("--password", help="Spørges der om, hvis den ikke gives (mindst 15 tegn).")
def create(email, role, name, password):
    """Create a staff user (they set up their second factor at the first login)."""
    _apply(services.cli_create_staff, email, role, password, name)
    click.echo(f"Oprettet: {services.normalise_email(email)} ({role})")


@staff_cli.command("list")
def list_staff():
    """Print every staff user with role, status and whether the second factor is set up."""
    for user in db.session.scalars(select(StaffUser).order_by(StaffUser.email)):
        status = "aktiv" if user.active else "deaktiveret"
        factor = "totp" if user.has_second_factor else "ingen totp endnu"
        click.echo(f"{user.email}\t{user.role}\t{status}\t{factor}")


@staff_cli.command("deactivate")
@EMAIL
def deactivate(email):
    """Stop a user from logging in and end their sessions (users are never deleted: the audit log keeps them)."""
    _apply(services.deactivate, _user(email))
    click.echo(f"Deaktiveret: {services.normalise_email(email)}")


@staff_cli.command("reactivate")
@EMAIL
def reactivate(email):
    """Let a deactivated user log in again."""
    _apply(services.reactivate, _user(email))
    click.echo(f"Aktiveret igen: {services.normalise_email(email)}")


@staff_cli.command("set-role")
@EMAIL
@click.option("--role", type=click.Choice(roles.ROLES), required=True)
def set_role(email, role):
    """Give a user another role."""
    _apply(services.change_role, _user(email), role)
    click.echo(f"{services.normalise_email(email)} har nu rollen {role}")


@staff_cli.command("set-password")
@EMAIL
@click.password_option("--password", help="Spørges der om, hvis den ikke gives (mindst 15 tegn).")
def set_password(email, password):
    """Set a new password for a user who has forgotten theirs (their sessions end)."""
    _apply(services.reset_password, _user(email), password)
    click.echo(f"Ny adgangskode sat for {services.normalise_email(email)}")


@staff_cli.command("reset-second-factor")
@EMAIL
def reset_second_factor(email):
    """Remove a user's second factor (a lost phone); they set up a new one at their next login."""
    _apply(services.reset_second_factor, _user(email))
    click.echo(f"Totrinsbekræftelse nulstillet for {services.normalise_email(email)}; ny opsætning ved næste login")
