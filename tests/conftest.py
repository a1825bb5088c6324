"""Fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL says so) migrated by Alembic,
a client that checks every page it fetches, and factories for rounds, meetings, registrations and staff users."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from survey import create_app
from survey.kernel.clock import utcnow
from survey.kernel.config import ROOT, TestConfig
from survey.kernel.extensions import db
from tests import factories
from tests.helpers import STAFF_PASSWORD, STAFF_TOTP_SECRET, log_in
from tests.kannel import Kannel, over_kannel
from tests.live import serve
from tests.markers import directory_markers
from tests.pages import CheckedClient
from tests.smtp import SmtpServer, over_smtp


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by them
def pytest_collection_modifyitems(items) -> None:
    """The markers of tests/browser, tests/https, tests/deploy, tests/faults and tests/fuzz (tests/markers.py)."""
    for item in items:
        for marker in directory_markers(item.path):
            item.add_marker(marker)


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


@pytest.fixture
def silent_redis():
    """An address where a "Redis" takes connections and never answers, as a hung or half-dead server does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


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


@pytest.fixture(scope="session")
def webkit(tmp_path_factory):
    """WebKit, Safari's engine: one MiniBrowser window with a phone's viewport (375×667) for the whole session,
    through Debian's WebKitWebDriver under an Xvfb display of its own (tests/webkit.py); a Selenium WebDriver."""
    from tests.webkit import WebKit

    with WebKit(tmp_path_factory.mktemp("webkit")) as harness:
        yield harness.session()


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
    """Factory: tests.factories.make_round, committed; returns the round's slug."""

    def make(**values) -> str:
        with app.app_context():
            round_ = factories.make_round(**values)
            db.session.commit()
            return round_.slug

    return make


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
    """Factory: tests.factories.make_meeting, committed; returns the meeting's id."""

    def make(**values) -> int:
        with app.app_context():
            meeting = factories.make_meeting(**values)
            db.session.commit()
            return meeting.id

    return make


@pytest.fixture
def make_registration(app):
    """Factory: tests.factories.make_registration, committed; returns the registration's id."""

    def make(meeting_id: int, *args, **values) -> int:
        with app.app_context():
            registration = factories.make_registration(meeting_id, *args, **values)
            db.session.commit()
            return registration.id

    return make


@pytest.fixture
def sms_sent(app):
    """The SMS messages the app hands to its gateway in this test (survey.kernel.sms.MemoryBackend)."""
    from tests.sms import memory_backend

    backend = memory_backend(app)
    yield backend
    backend.fail = None


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app on 127.0.0.1 and a free port (tests/live.py): for the browser, and for Kannel's reports."""
    with serve(app) as server:
        yield server


@pytest.fixture(scope="session")
def kannel(tmp_path_factory):
    """Debian's Kannel (bearerbox, smsbox) and its fake SMSC, on free ports, for the whole session (tests/kannel.py)."""
    with Kannel(tmp_path_factory.mktemp("kannel")) as gateway:
        yield gateway


@pytest.fixture
def kannel_sms(app, kannel, live_server):
    """The session's app sends its SMS through the real Kannel while the test runs, and Kannel reports delivery to
    `live_server`; returns the gateway, its fake SMSC emptied (`kannel.wait_for(n)`, `kannel.messages()`)."""
    with over_kannel(app, kannel, live_server.url):
        yield kannel


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the whole session."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(app, smtp_server) -> SmtpServer:
    """Mail sent during the test goes over SMTP to a real server on 127.0.0.1; returns that server, empty."""
    with over_smtp(app, smtp_server):
        yield smtp_server
