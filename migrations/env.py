"""Alembic environment: the app's own engine and metadata (Flask-SQLAlchemy 3)."""

import logging
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
engine = db.engine
config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def process_revision_directives(_context, _revision, directives):
    """Write no empty migration when autogenerate finds nothing."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def check_foreign_keys(ctx, **_kw):
    """After each migration on SQLite, inside its transaction: no row may be left pointing at nothing."""
    broken = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration leaves rows pointing at nothing: {broken[:10]}")


@contextmanager
def sqlite_foreign_keys_off(connection):
    """On SQLite, migrate with foreign keys off (and check_foreign_keys after each migration): batch mode changes a
    table by copying it and dropping the old one, and with foreign keys on that drop would empty the tables pointing
    at it (ON DELETE CASCADE) or fail. The pragma only takes effect outside a transaction."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection  # before SQLAlchemy begins a transaction on it
    driver.execute("PRAGMA foreign_keys = OFF")
    if driver.execute("PRAGMA foreign_keys").fetchone()[0] != 0:
        raise RuntimeError("SQLite's foreign keys could not be turned off for the migration")
    try:
        yield
    finally:
        if connection.in_transaction():  # a read after the last migration; each one committed its own
            connection.rollback()
        driver.execute("PRAGMA foreign_keys = ON")


def run_migrations_online():
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with engine.connect() as connection, sqlite_foreign_keys_off(connection):
        if connection.dialect.name == "sqlite":
            conf_args.setdefault("on_version_apply", check_foreign_keys)
        context.configure(connection=connection, target_metadata=db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
