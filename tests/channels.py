"""A test-only channel for the outbox, proving the seam a real second channel (SMS) plugs into."""

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


def register_pigeon(app, monkeypatch) -> Pigeon:
    """A Pigeon registered after the app's own channels until the test ends."""
    channel = Pigeon()
    monkeypatch.setitem(app.extensions, outbox.CHANNELS, [*app.extensions[outbox.CHANNELS], channel])
    return channel
