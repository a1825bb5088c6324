"""Fixtures of the survey tests: an app of its own with rate limits on (the shared test app has them off)."""

from __future__ import annotations

import pytest

from survey import create_app
from survey.config import TestConfig
from tests.pages import CheckedClient


@pytest.fixture
def limited_app(database_url):
    """Factory: an app on the test database with rate limits on, counted in its own memory unless `config` says
    otherwise; its pooled connections are closed after the test."""
    from survey.extensions import db

    made = []

    def make(**config):
        settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        app = create_app(
            {
                **settings,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "test-secret",
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "memory://",
                **config,
            }
        )
        app.test_client_class = CheckedClient
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()
