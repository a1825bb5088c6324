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

from survey import create_app
from survey.kernel.clock import utcnow
from survey.kernel.config import ROOT, TestConfig
from survey.kernel.extensions import db
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
            **TestConfig.as_dict(),
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
    from survey.staff.audit import deletes_allowed

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection, deletes_allowed(connection):  # the audit log refuses deletes
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _no_submits_counted(app):
    """Every test starts with no submits counted: the app keeps the counts in memory by round id, and the ids come
    again once the tables are emptied (survey.questionnaire.submit_rate)."""
    app.extensions.pop("submit_rate", None)


@pytest.fixture
def make_app(app, database_url):
    """Factory: an app like the session's with some settings changed (the session's app made the schema); its
    pooled connections are closed after the test."""
    made = []

    def make(**config):
        settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret", **config}
        new = create_app({**TestConfig.as_dict(), **settings})
        new.test_client_class = CheckedClient
        made.append(new)
        return new

    yield make
    for made_app in made:
        with made_app.app_context():
            db.engine.dispose()


@pytest.fixture
def limited_app(make_app):
    """Factory: `make_app` with rate limits on (the session's app has them off), counted in the app's own memory
    unless `config` says otherwise."""
    return lambda **config: make_app(**{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", **config})


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session, shared by tests/browser and tests/https: Playwright's sync API
    runs an event loop in this thread, so a second one cannot start while the first lives."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()
    playwright.stop()


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
#: every staff user the fixtures make has this TOTP secret (base32), so tests can compute the second factor
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(app, email: str) -> str:
    """The user's next acceptable code: for the current time step, or the next one when the current step was
    already used (a code is accepted once; the server allows one step of clock drift)."""
    import pyotp

    from survey.staff import totp
    from survey.staff.models import StaffUser

    with app.app_context():
        last = db.session.scalar(select(StaffUser.totp_last_step).where(StaffUser.email == email))
        secret = db.session.scalar(select(StaffUser.totp_secret).where(StaffUser.email == email))
    now = totp.current_step()
    step = now if last is None or last < now else last + 1
    assert step <= now + totp.DRIFT_STEPS, "two logins of one user within one time step already: use another user"
    return pyotp.TOTP(secret or STAFF_TOTP_SECRET).at(step * totp.STEP_SECONDS)


def log_in(client, email: str, password: str = STAFF_PASSWORD, next_url: str = ""):
    """Both login steps (password, then the TOTP code) with the test client; returns the last response."""
    from tests.pages import csrf_token

    page = client.get(f"/personale/log-ind{next_url}")
    first = client.post(
        f"/personale/log-ind{next_url}", data={"csrf_token": csrf_token(page), "email": email, "password": password}
    )
    assert first.status_code == 302 and first.location.endswith("/personale/totrin"), "password step failed"
    page = client.get("/personale/totrin")
    code = totp_code(client.application, email)
    return client.post("/personale/totrin", data={"csrf_token": csrf_token(page), "code": code})


@pytest.fixture
def make_staff(app):
    """Factory: a staff user with a role and the known TOTP secret (or none: must enrol); returns its e-mail."""
    from survey.staff.services import create_staff

    def make(role: str = "admin", email: str | None = None, second_factor: bool = True) -> str:
        with app.app_context():
            user = create_staff(email or f"{role}@kommune.test", role, STAFF_PASSWORD)
            if second_factor:
                user.totp_secret, user.totp_enabled_at = STAFF_TOTP_SECRET, utcnow()
            db.session.commit()
            return user.email

    return make


@pytest.fixture
def login_as(make_staff):
    """Log a client in (password and second factor) as a (new) staff user with `role`; returns the client."""

    def login(client, role: str = "admin"):
        response = log_in(client, make_staff(role))
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
