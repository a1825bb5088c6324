"""Fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL says so) migrated by Alembic,
a client that checks every page it fetches, and factories for policies, questionnaires and rounds."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from survey import ROOT, create_app
from survey.config import TestConfig
from survey.extensions import db
from survey.models import utcnow
from tests.pages import CheckedClient

DATA = ROOT / "data"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_schema(app) -> None:
    """Drop everything (also Alembic's table) so that the migrations themselves build the schema."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
        }
    )
    _reset_schema(app)
    app.test_client_class = CheckedClient  # every client of the tests checks every page it fetches
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter does


@pytest.fixture(autouse=True)
def _clean_tables(app):
    """Every test starts from empty tables."""
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def app_ctx(app):
    """An app context for the whole test: for tests that make no requests."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def in_app(app):
    """`with in_app():` — a short app context for checking the database between requests."""

    @contextmanager
    def context():
        with app.app_context():
            yield db.session
            db.session.remove()

    return context


@pytest.fixture
def client(app) -> CheckedClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_round(app):
    """Factory: load a policy and questionnaire (Syddjurs by default) and open a round; returns the round's slug."""
    from survey.policies.services import load_policy
    from survey.questionnaire.loading import load_questionnaire
    from survey.questionnaire.rounds import create_round

    def make(
        policy: Path = DATA / "policies/syddjurs.yaml",
        questionnaire: Path = DATA / "questionnaires/syddjurs-tilfredshed.yaml",
        access: str = "open",
        state: str = "open",
        label: str = "2026 2. halvår",
    ) -> str:
        now = utcnow()
        opens, closes = {
            "open": (now - timedelta(days=1), now + timedelta(days=30)),
            "upcoming": (now + timedelta(days=2), now + timedelta(days=30)),
            "closed": (now - timedelta(days=30), now - timedelta(days=1)),
        }[state]
        with app.app_context():
            load_policy(policy)
            questionnaire_row, _ = load_questionnaire(questionnaire)
            round_ = create_round(questionnaire_row, label, opens, closes, access)
            db.session.commit()
            return round_.slug

    return make


STAFF_PASSWORD = "et-langt-og-godt-kodeord"


@pytest.fixture
def make_staff(app):
    """Factory: a staff user with a role; returns its e-mail."""
    from survey.staff.services import create_staff

    def make(role: str = "admin", email: str | None = None) -> str:
        with app.app_context():
            user = create_staff(email or f"{role}@kommune.test", role, STAFF_PASSWORD)
            db.session.commit()
            return user.email

    return make


@pytest.fixture
def login_as(make_staff):
    """Log a client in as a (new) staff user with `role`; returns the client."""
    from tests.pages import csrf_token

    def login(client, role: str = "admin"):
        email = make_staff(role)
        page = client.get("/personale/log-ind")
        response = client.post(
            "/personale/log-ind", data={"csrf_token": csrf_token(page), "email": email, "password": STAFF_PASSWORD}
        )
        assert response.status_code == 302, "login failed"
        return client

    return login


@pytest.fixture
def make_meeting(app):
    """Factory: a meeting of the Syddjurs policy (published, in a week, 10 seats by default); returns its id."""
    from survey.meetings.models import Meeting
    from survey.policies.models import Policy
    from survey.policies.services import load_policy

    def make(
        capacity: int = 10,
        starts_in: timedelta = timedelta(days=7),
        deadline_before: timedelta = timedelta(days=1),
        status: str = "published",
        title: str = "Dialogmøde om job og uddannelse",
        areas=("1", "5"),
    ) -> int:
        with app.app_context():
            if db.session.scalar(select(Policy).where(Policy.slug == "syddjurs")) is None:
                load_policy(DATA / "policies/syddjurs.yaml")
            policy = db.session.scalar(select(Policy).where(Policy.slug == "syddjurs"))
            starts = utcnow().replace(microsecond=0) + starts_in
            meeting = Meeting(
                policy=policy,
                title=title,
                description="Vi vil gerne høre, hvad du synes.",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                venue_name="Rådhuset, mødesal 1",
                venue_address="Lundbergsvej 2, 8400 Ebeltoft",
                step_free=True,
                hearing_loop=True,
                capacity=capacity,
                registration_deadline=starts - deadline_before,
                status=status,
                focus_areas=[a for a in policy.focus_areas if a.code in areas],
            )
            db.session.add(meeting)
            db.session.commit()
            return meeting.id

    return make
