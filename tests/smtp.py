"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, keeping every message it receives."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from flask_mailman import Mail

MAIL_KEYS = ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME",
             "MAIL_PASSWORD", "MAIL_FILE_PATH")  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """Start, read what arrived (parsed with the email package), clear between tests, stop."""

    def __init__(self) -> None:
        self.port = free_port()
        self.envelopes = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def clear(self) -> None:
        self.envelopes.clear()

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(envelope.content, policy=policy.default) for envelope in self.envelopes]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, e in zip(self.messages, self.envelopes, strict=True) if address in e.rcpt_tos]


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


@contextmanager
def over_smtp(app, server: SmtpServer):
    """The app's mail goes over SMTP to `server` (emptied first) while the block runs."""
    server.clear()
    settings = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port}
    with mail_config(app, **settings, MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None, MAIL_PASSWORD=None):
        yield server
