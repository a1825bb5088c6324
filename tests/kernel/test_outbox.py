"""The outbox: a message goes to the first registered channel that reaches its recipient, and only after the
transaction that queued it has committed."""

from __future__ import annotations

import pytest

from survey.kernel import outbox
from survey.kernel.extensions import db
from survey.kernel.outbox import Message, Recipient
from tests.channels import Pigeon, phone_channels_removed, register_pigeon


@pytest.fixture
def pigeon(app, monkeypatch) -> Pigeon:
    return register_pigeon(app, monkeypatch)


def note(**contacts) -> Message:
    return Message(Recipient(**contacts), "note", "Hej", {"text": "en besked"})


@pytest.mark.parametrize(
    ("contacts", "expected"),
    [
        ({"email": "karen@example.dk"}, "email"),
        ({"email": "karen@example.dk", "phone": "+4520304050"}, "email"),
        ({"phone": "+4520304050"}, "sms"),
        ({}, None),
    ],
)
def test_the_app_reaches_an_e_mail_address_first_then_a_mobile_number(app_ctx, contacts, expected):
    channel = outbox.channel_for(Recipient(**contacts))
    assert (channel.name if channel else None) == expected
    assert outbox.contacts_reached() == {"email", "phone"}


def test_a_registered_channel_reaches_whom_e_mail_does_not(app_ctx, pigeon):
    assert outbox.channel_for(Recipient(phone="+4520304050")) is pigeon
    assert outbox.channel_for(Recipient(email="karen@example.dk", phone="+4520304050")).name == "email"
    assert outbox.contacts_reached() == {"email", "phone"}


def test_a_phone_number_alone_is_sent_nothing_without_a_channel_for_it(app, app_ctx, monkeypatch):
    phone_channels_removed(app, monkeypatch)
    assert outbox.contacts_reached() == {"email"}
    assert outbox.queue(note(phone="+4520304050")) is None
    db.session.commit()
    assert outbox.OUTBOX not in db.session.info


def test_a_message_leaves_after_the_commit_and_never_after_a_rollback(app_ctx, pigeon):
    assert outbox.queue(note(phone="+4520304050")) == "pigeon"
    assert pigeon.sent == [], "nothing leaves before the commit"
    db.session.rollback()
    db.session.commit()
    assert pigeon.sent == [], "a rolled-back message is dropped"

    outbox.queue(note(phone="+4520304050"))
    db.session.commit()
    assert pigeon.sent == [("+4520304050", "note", "Hej")]
    db.session.commit()
    assert len(pigeon.sent) == 1, "sent once"


def test_a_failed_send_is_logged_and_the_rest_still_go(app_ctx, pigeon, monkeypatch, caplog):
    deliver = pigeon.send

    def gateway_refuses_the_first(rendered):
        if rendered[0] == "+4520304050":
            raise OSError("gateway down")
        deliver(rendered)

    monkeypatch.setattr(pigeon, "send", gateway_refuses_the_first)
    outbox.queue(note(phone="+4520304050"))
    outbox.queue(note(phone="+4520304051"))
    db.session.commit()
    assert pigeon.sent == [("+4520304051", "note", "Hej")]
    assert "could not send a 'note' message by pigeon" in caplog.text


def test_a_channel_must_send_to_a_kind_of_contact_a_recipient_has(app):
    class Fax(Pigeon):
        contact = "fax"

    with pytest.raises(ValueError, match="fax"):
        outbox.init_app(app, [Fax()])
