"""Extensions, created once and bound in create_app()."""

import click
from flask_babel import Babel, lazy_gettext
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Migrations:
    """Flask-Migrate, bound when first used (`flask db …`, flask_migrate.upgrade()): it imports Alembic, 11 MiB that
    a web worker never needs."""

    def init_app(self, app, db, **options) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, options)
        app.cli.add_command(_MigrationCommands("db", help="Perform database migrations."))


class _PendingMigrate:
    """Stands in app.extensions["migrate"] until Flask-Migrate is asked for anything; then binds it and answers."""

    def __init__(self, app, db, options: dict) -> None:
        self.app, self.database, self.options = app, db, options

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        Migrate(self.app, self.database, **self.options)  # replaces this stand-in and the `db` commands
        return getattr(self.app.extensions["migrate"], name)


class _MigrationCommands(click.Group):
    """Flask-Migrate's `db` command group, imported when the command line runs it (its options, commands, help)."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


db = SQLAlchemy(model_class=Base)
migrate = Migrations()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.login_message = lazy_gettext("Log ind for at se siden.")
login_manager.login_message_category = "info"
