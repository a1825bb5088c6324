"""What the tests of the real gateway share: a template that says just what the test gives it, the outbox's row of
a message, waiting (bounded) for what Kannel reports back, and `flask sms send` as cron runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.kernel.outbox import Message, Recipient
from survey.kernel.sms import SmsMessage
from tests.kannel import Kannel, kannel_config
from tests.servers import START_TIMEOUT

SECRET = "test-secret"  # the suite's apps' SECRET_KEY: the report signatures of the CLI and the live server agree


def use_plain_template(app, monkeypatch) -> None:
    """sms/plain.txt: the message is exactly `text`."""
    loader = ChoiceLoader([DictLoader({"sms/plain.txt": "{{ text }}"}), app.jinja_loader])
    monkeypatch.setattr(app.jinja_env, "loader", loader)


def plain(phone: str, text: str, topic: str = "round:1") -> Message:
    return Message(Recipient(phone=phone), "plain", "Emne", {"text": text}, topic=topic)


def commit() -> None:
    """Commit (the outbox sends after it) and end the session's transaction: outside a request every transaction
    takes SQLite's write lock, which Kannel's reports to the live server must get."""
    db.session.commit()
    db.session.close()


def rows() -> list[SmsMessage]:
    found = list(db.session.scalars(select(SmsMessage).order_by(SmsMessage.id)))
    db.session.close()  # a fresh look next time, and no lock kept from Kannel's reports to the live server
    return found


def until(condition, what: str):
    """Poll `condition` (which reads the database afresh) until it is truthy; bounded, then fail."""
    deadline = time.monotonic() + START_TIMEOUT
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)
    return found


def sms_send_command(database_url: str, kannel: Kannel, report_base: str, instance) -> tuple[list[str], dict]:
    """`flask sms send` against the test's database and gateway: (command, environment)."""
    env = {**os.environ, **kannel_config(kannel, report_base), "DATABASE_URL": database_url, "SECRET_KEY": SECRET}
    env["BORGERDIALOG_INSTANCE"] = str(instance)
    return [sys.executable, "-m", "flask", "--app", "wsgi", "sms", "send"], env


def run_sms_send(database_url: str, kannel: Kannel, report_base: str, instance) -> str:
    command, env = sms_send_command(database_url, kannel, report_base, instance)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=START_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
