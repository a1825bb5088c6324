"""A test-only channel for the outbox, standing in for the app's phone channel (SMS) where a test is about the
outbox's seam, not about SMS."""

from __future__ import annotations

from survey.kernel import outbox
from survey.kernel.outbox import Channel, Message


class Pigeon(Channel):
    """Reaches a phone number; keeps (phone, template, subject) of everything it was given to send."""

    name = "pigeon"
    contact = "phone"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def render(self, message: Message) -> tuple[str, str, str]:
        return message.recipient.phone, message.template, message.subject

    def send(self, rendered: tuple[str, str, str]) -> None:
        self.sent.append(rendered)


def phone_channels_removed(app, monkeypatch) -> list:
    """The app's channels without the one that reaches a phone (SMS), until the test ends."""
    channels = [channel for channel in app.extensions[outbox.CHANNELS] if channel.contact != "phone"]
    monkeypatch.setitem(app.extensions, outbox.CHANNELS, channels)
    return channels


def register_pigeon(app, monkeypatch) -> Pigeon:
    """A Pigeon in place of the app's phone channel (SMS) until the test ends."""
    channel = Pigeon()
    monkeypatch.setitem(app.extensions, outbox.CHANNELS, [*phone_channels_removed(app, monkeypatch), channel])
    return channel
