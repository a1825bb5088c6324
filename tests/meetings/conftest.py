"""Fixtures for the mail of dialogue meetings: a file mail sink, sign-ups (the SMTP server: tests/conftest.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from survey.kernel.extensions import db
from tests.smtp import mail_config


@pytest.fixture(autouse=True)
def _empty_outbox(app):
    """Mail kept by MAIL_BACKEND=locmem: each test starts with none (tests.meetings.signup.mails_to)."""
    app.extensions["mailman"].outbox = []


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
