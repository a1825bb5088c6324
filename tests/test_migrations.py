"""The migrations and the models agree: nothing in the models lacks a migration."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from survey.kernel.extensions import db


def test_models_and_migrations_match(app):
    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == [], f"a model change has no migration (flask --app wsgi db migrate): {diff}"
