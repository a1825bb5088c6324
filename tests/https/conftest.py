"""The production setup with real parts, once per module: a self-signed certificate made by openssl, Debian's
nginx terminating TLS on a free port of 127.0.0.1 in front of gunicorn (PROXY_FIX_HOPS=1, PUBLIC_BASE_URL
https://…, HTTPS_ONLY=1, mail written to files), and Debian's Chromium, driven by Playwright, that ignores the
test's certificate. The database is a SQLite file, or a new database on TEST_DATABASE_URL's server in the
PostgreSQL run; it is migrated by `flask db upgrade` and gets an open survey round, a meeting and a staff user
(made by `flask staff create`), as an operator would set it up."""

from __future__ import annotations

import os
import secrets
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from tests.chromium import PHONE
from tests.helpers import STAFF_PASSWORD
from tests.servers import Gunicorn, Nginx, free_port, postgres_database, self_signed_certificate, stop_processes
from tests.site_data import migrate_and_load

STAFF_EMAIL = "leder@kommune.test"


@dataclass
class Site:
    base_url: str  #: https://127.0.0.1:<nginx port>
    mail_folder: Path
    access_log: Path  #: nginx's: see Nginx.access_log
    round_slug: str
    meeting_id: int
    staff_email: str
    engine: Engine

    def session(self) -> Session:
        """`with site.session() as s:` — for checking what the app stored."""
        return Session(self.engine)


@pytest.fixture(scope="module")
def https_database_url(tmp_path_factory) -> str:
    shared = os.environ.get("TEST_DATABASE_URL", "")
    with ExitStack() as stack:
        if shared.startswith("postgresql"):
            yield stack.enter_context(postgres_database(shared, f"borgerdialog_https_{os.getpid()}"))
        else:
            yield f"sqlite:///{tmp_path_factory.mktemp('https-db') / 'borgerdialog.sqlite3'}"


@pytest.fixture(scope="module")
def site(https_database_url, tmp_path_factory) -> Site:
    """nginx (TLS) → gunicorn (2 workers) → the database, started for the module and stopped after it."""
    folder = tmp_path_factory.mktemp("https")
    key = secrets.token_urlsafe(32)
    certificate, private_key = self_signed_certificate(folder)
    app_port, proxy_port = free_port(), free_port()
    base_url = f"https://127.0.0.1:{proxy_port}"
    env = {
        "DATABASE_URL": https_database_url,
        "SECRET_KEY": key,
        "BORGERDIALOG_INSTANCE": str(folder / "instance"),
        "PUBLIC_BASE_URL": base_url,
        "HTTPS_ONLY": "1",
        "PROXY_FIX_HOPS": "1",
        "MAIL_BACKEND": "file",
        "MAIL_FILE_PATH": str(folder / "mail"),
    }
    round_slug, meeting_id = migrate_and_load(https_database_url, key, staff=(STAFF_EMAIL, STAFF_PASSWORD))
    app_server = Gunicorn(app_port, env, folder / "gunicorn.log", workers=2)
    proxy = Nginx(folder / "nginx", proxy_port, app_server.base_url, certificate, private_key)
    try:
        app_server.start().wait_until_ready()
        proxy.start().wait_until_ready()
        engine = create_engine(https_database_url)
        yield Site(base_url, folder / "mail", proxy.access_log, round_slug, meeting_id, STAFF_EMAIL, engine)
        engine.dispose()
    finally:
        stop_processes([proxy.process, app_server.process])


@pytest.fixture
def phone(browser, site):
    """A phone-sized browser context on the site, trusting the test's self-signed certificate."""
    context = browser.new_context(**PHONE, base_url=site.base_url, ignore_https_errors=True)
    context.set_default_timeout(15_000)  # a step that fails says so well before the test's budget
    yield context
    context.close()
