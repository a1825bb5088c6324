"""Every message to a person goes through here: one outbox, sent after the commit, by a channel that reaches them.

A service builds a `Message` (who, which template, what to fill in, which language) and `queue()`s it. The
outbox picks the first registered channel that can reach the recipient (e-mail today; an SMS channel registers
beside it in create_app), has that channel render the message at once, inside the transaction, while the
records it names can still be read, and sends it when the session commits. A rollback drops it, so nobody is
told about a sign-up that was never stored. A recipient that no channel reaches (a mobile number only, while
no SMS channel is registered) is sent nothing."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import event

from survey.kernel.extensions import db

OUTBOX = "outbox"
#: session.info key of what a commit has released, sent when the transaction has ended
READY = "outbox_ready"
#: app.extensions key of the registered channels, in order of preference
CHANNELS = "outbox_channels"


@dataclass(frozen=True)
class Recipient:
    """Every way to reach a person that they gave us; a channel sends to one of them."""

    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a message where the channel can carry one (an .ics with an e-mail)."""

    filename: str
    content: bytes
    mimetype: str
    #: parameters of the content type, e.g. {"method": "REQUEST"} for a calendar invitation
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    """One message to one person, before a channel has given it its form."""

    recipient: Recipient
    #: the message's name; each channel renders its own form of it (the e-mail channel: mail/<template>.txt, .html)
    template: str
    subject: str
    context: Mapping[str, Any]
    language: str = "da"
    attachments: tuple[Attachment, ...] = ()
    #: what the message belongs to ('registration:12', 'round:5'): a channel that keeps messages (SMS) files them
    #: under it, so staff see a meeting's or a round's failures and a closing round forgets its numbers
    topic: str | None = None
    #: asked for once by a citizen on a page that says at once whether it went: no retry, no contact kept
    transient: bool = False


class Channel(ABC):
    """A way to reach a person. Register one with `init_app`; the outbox asks each in turn."""

    name: ClassVar[str]
    #: the Recipient field this channel sends to ("email", "phone")
    contact: ClassVar[str]

    def init_app(self, app: Flask) -> None:
        """Set up what the channel needs (a mail connection, a gateway address); most need nothing."""
        return None

    def can_reach(self, recipient: Recipient) -> bool:
        return bool(getattr(recipient, self.contact))

    @abstractmethod
    def render(self, message: Message) -> Any:
        """The message in this channel's form, ready to send; called inside the transaction, in its language."""

    @abstractmethod
    def send(self, rendered: Any) -> None:
        """Hand a rendered message to the transport; called after the commit."""


def registered_channels() -> list[Channel]:
    """The app's channels, in order of preference."""
    return current_app.extensions[CHANNELS]


def channel_for(recipient: Recipient) -> Channel | None:
    """The first registered channel that reaches `recipient`, or None."""
    return next((channel for channel in registered_channels() if channel.can_reach(recipient)), None)


def contacts_reached() -> set[str]:
    """The Recipient fields some channel sends to: who a batch of scheduled messages can be for."""
    return {channel.contact for channel in registered_channels()}


def queue(message: Message) -> str | None:
    """Render `message` for the channel that reaches its recipient and send it once the current transaction
    commits. Returns the channel's name, or None when no channel reaches the recipient (nothing is sent)."""
    channel = channel_for(message.recipient)
    if channel is None:
        current_app.logger.info("no channel reaches the recipient of a %r message: not sent", message.template)
        return None
    with force_locale(message.language):
        rendered = channel.render(message)
    session = db.session()
    if not session.in_transaction():
        session.begin()  # a message belongs to a transaction, also one that has not touched the database yet
    session.info.setdefault(OUTBOX, []).append((channel, message.template, rendered))
    return channel.name


def _committed(session) -> None:
    # sent once the transaction has ended and handed back its connection: a channel that records what it sent
    # (SMS) takes a connection of its own, and a request must never hold two (fifty sign-ups at once would
    # exhaust the pool waiting for each other), nor, on SQLite, keep the write lock while it waits
    session.info[READY] = session.info.pop(READY, []) + session.info.pop(OUTBOX, [])


def _send_outbox(session, transaction) -> None:
    if transaction.parent is not None or READY not in session.info:
        return
    for channel, template, rendered in session.info.pop(READY, []):
        try:
            channel.send(rendered)
        except Exception:  # the data is stored; a failed send must not turn into an error page
            current_app.logger.exception("could not send a %r message by %s", template, channel.name)


def _drop_outbox(session, _previous_transaction) -> None:
    # every rollback, also one with no database work to undo ('after_rollback' misses that one, and the next
    # commit would send what was rolled back); a savepoint's rollback drops everything queued, to be safe
    session.info.pop(OUTBOX, None)


def init_app(app: Flask, channels: list[Channel]) -> None:
    """Register `channels` (in order of preference) and send queued messages after each commit."""
    known = {f.name for f in fields(Recipient)}
    for channel in channels:
        if channel.contact not in known:
            raise ValueError(f"channel {channel.name!r} sends to {channel.contact!r}, not a Recipient field")
        channel.init_app(app)
    app.extensions[CHANNELS] = list(channels)
    if not getattr(init_app, "listening", False):
        event.listen(db.session, "after_commit", _committed)
        event.listen(db.session, "after_transaction_end", _send_outbox)
        event.listen(db.session, "after_soft_rollback", _drop_outbox)
        init_app.listening = True
