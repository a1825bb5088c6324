"""E-mail, sent only after the transaction that caused it has committed.

Services `queue()` messages on the database session; they go out when the session commits and are dropped
when it rolls back, so nobody is told about a sign-up that was never stored. The transport is Flask-Mailman:
SMTP in production (MAIL_SERVER, …), a folder of .eml files in development (MAIL_BACKEND=file)."""

from __future__ import annotations

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail
from sqlalchemy import event

from survey.kernel.extensions import db

mail = Mail()
OUTBOX = "outbox"


def queue(message: EmailMultiAlternatives) -> None:
    """Send `message` once the current transaction commits."""
    db.session.info.setdefault(OUTBOX, []).append(message)


def _send_outbox(session) -> None:
    messages = session.info.pop(OUTBOX, [])
    for message in messages:
        try:
            message.send()
        except Exception:  # the data is stored; a failed mail must not turn into an error page
            current_app.logger.exception("could not send e-mail %r to %s", message.subject, message.to)


def _drop_outbox(session) -> None:
    session.info.pop(OUTBOX, None)


def init_app(app: Flask) -> None:
    mail.init_app(app)
    if not getattr(init_app, "listening", False):
        event.listen(db.session, "after_commit", _send_outbox)
        event.listen(db.session, "after_rollback", _drop_outbox)
        init_app.listening = True
