"""Fixtures for the mail of dialogue meetings: a real SMTP server, a file mail sink, sign-ups."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

import pytest
from flask_mailman import Mail

from survey.kernel.extensions import db
from tests.smtp import SmtpServer

MAIL_KEYS = ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME",
             "MAIL_PASSWORD", "MAIL_FILE_PATH")  # fmt: skip


@contextmanager
def mail_config(app, **settings):
    """Change the mail settings of the shared app for one test; Flask-Mailman reads them at init_app, so its
    state is rebuilt too, and both are put back afterwards."""
    saved, state = {k: app.config.get(k) for k in MAIL_KEYS}, app.extensions["mailman"]
    app.config.update(settings)
    app.extensions["mailman"] = Mail.init_mail(app.config, app.testing)
    try:
        yield
    finally:
        app.config.update(saved)
        app.extensions["mailman"] = state


@pytest.fixture(autouse=True)
def _empty_outbox(app):
    """Mail kept by MAIL_BACKEND=locmem: each test starts with none (tests.meetings.signup.mails_to)."""
    app.extensions["mailman"].outbox = []


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(app, smtp_server) -> SmtpServer:
    """Mail sent during the test goes over SMTP to a real server on 127.0.0.1; returns that server, empty."""
    smtp_server.clear()
    settings = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}
    with mail_config(app, **settings, MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None, MAIL_PASSWORD=None):
        yield smtp_server


@pytest.fixture
def file_sink(app, tmp_path):
    """Mail sent during the test is written to a folder (MAIL_BACKEND=file, as in `make run`); returns it."""
    folder = tmp_path / "mail"
    with mail_config(app, MAIL_BACKEND="file", MAIL_FILE_PATH=str(folder)):
        yield folder


@pytest.fixture
def sign_up(app):
    """Factory: sign someone up through the service and commit (which sends the mail); returns the id."""
    from survey.meetings.services import Signup, register_for_meeting

    def sign(meeting_id: int, now: datetime | None = None, **fields) -> int:
        fields = {"role": "borger", "name": "Karen Hansen", "email": "karen@example.dk", **fields}
        with app.app_context():
            registration = register_for_meeting(meeting_id, Signup(**fields), now=now or datetime(2030, 11, 1))
            db.session.commit()
            return registration.id

    return sign
