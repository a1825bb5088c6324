"""The SMS channel through the real gateway: Debian's Kannel (bearerbox, smsbox) with its fake SMSC, started once
for the session (tests/kannel.py). What arrives at the SMSC is what we sent; Kannel's own delivery reports reach
/sms/rapport and change the message; a gateway that is down makes the outbox wait, and a number the gateway
refuses fails at once, shown to staff."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import update

from survey.kernel import outbox, sms
from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.sms import SmsMessage
from survey.kernel.sms_text import GSM7, UCS2, measure
from tests.kannel import PASSWORD, REFUSED_NUMBER, SENDER
from tests.sms_gateway.helpers import commit, plain, rows, run_sms_send, until, use_plain_template

#: two segments each: GSM-7 with the Danish letters (one septet each), UCS-2 because of the emoji
DANISH = " ".join(["Kære Åse Østergaard! Dialogmødet om ældreplejen i Æbeltoft er flyttet til torsdag."] * 3)
EMOJI = "Tak for dit svar 😀 Vi ses på mødet i Ølsted på torsdag kl. 17. Hilsen kommunen 👋"


@pytest.fixture
def kannel_app(app, kannel_sms, monkeypatch, app_ctx):
    use_plain_template(app, monkeypatch)
    return kannel_sms


def test_danish_letters_and_an_emoji_arrive_at_the_smsc_exactly_as_sent_in_two_parts(kannel_app):
    assert (measure(DANISH).encoding, measure(DANISH).segments) == (GSM7, 2)
    assert (measure(EMOJI).encoding, measure(EMOJI).segments) == (UCS2, 2)
    outbox.queue(plain("+4520304050", DANISH))
    outbox.queue(plain("+4530405060", EMOJI))
    commit()
    arrived = sorted(kannel_app.wait_for(2), key=lambda m: m.receiver)
    assert [(m.sender, m.receiver, m.text, m.encoding, m.parts) for m in arrived] == [
        (SENDER, "+4520304050", DANISH, GSM7, 2),
        (SENDER, "+4530405060", EMOJI, UCS2, 2),
    ], "Kannel splits a long message into concatenated parts; together they are the text"


def test_kannel_s_delivery_report_reaches_the_app_and_marks_the_message_delivered(kannel_app):
    outbox.queue(plain("+4520304050", "Din kode er ABCD-1234"))
    commit()
    [message] = until(lambda: [m for m in rows() if m.status == "delivered"], "Kannel's report 'delivered'")
    assert (message.report, message.body, message.error) == (sms.DELIVERED_REPORT, None, None)
    assert kannel_app.wait_for(1)[0].text == "Din kode er ABCD-1234"


def test_a_report_with_another_message_s_signature_is_refused(kannel_app, live_server):
    outbox.queue(plain("+4520304050", "første"))
    outbox.queue(plain("+4530405060", "anden"))
    commit()
    first, second = until(lambda: [m for m in rows() if m.status == "delivered"][1:] and rows(), "both delivered")
    forged = f"{live_server.url}/sms/rapport/{first.id}?sig={sms.report_signature(second.id)}&type=16"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 403
    refused.value.close()
    assert rows()[0].status == "delivered"


def test_a_number_the_gateway_refuses_fails_at_once_and_is_shown_to_staff(kannel_app):
    outbox.queue(plain(REFUSED_NUMBER, "Din kode er ABCD-1234", topic="meeting:4/registration:9"))
    outbox.queue(plain("+4520304050", "Din kode er EFGH-5678", topic="meeting:4/registration:10"))
    commit()
    [failed] = sms.problems("meeting:4/")
    assert (failed.status, failed.attempts, failed.body, failed.to_number) == ("failed", 1, None, REFUSED_NUMBER)
    assert "400" in failed.error and "black-list" in failed.error
    assert [m.receiver for m in kannel_app.wait_for(1)] == ["+4520304050"]
    db.session.close()  # the test's transaction holds SQLite's write lock
    assert sms.send_due(now=utcnow() + timedelta(days=1)) == {}, "never retried"


def test_a_gateway_that_is_down_keeps_the_message_and_cron_sends_it_once_when_it_is_back(
    kannel_app, live_server, database_url, tmp_path
):
    kannel_app.stop()
    try:
        outbox.queue(plain("+4520304050", "Påmindelse: mødet er i morgen kl. 17"))
        commit()
        [waiting] = rows()
        assert (waiting.status, waiting.attempts, waiting.body) == ("queued", 1, "Påmindelse: mødet er i morgen kl. 17")
        assert waiting.next_attempt_at > waiting.claimed_at, "it waits its back-off"
        assert "svarer ikke" in waiting.error and PASSWORD not in waiting.error
        assert run_sms_send(database_url, kannel_app, live_server.url, tmp_path).startswith("0 SMS")
    finally:
        kannel_app.start()
    # the back-off has passed
    db.session.execute(update(SmsMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    commit()
    assert run_sms_send(database_url, kannel_app, live_server.url, tmp_path).startswith("1 SMS behandlet (sent: 1)")
    assert run_sms_send(database_url, kannel_app, live_server.url, tmp_path).startswith("0 SMS")
    [arrived] = kannel_app.wait_for(1)
    assert arrived.text == "Påmindelse: mødet er i morgen kl. 17"
    until(lambda: rows()[0].status == "delivered", "the report of the message cron sent")
    assert len(kannel_app.messages()) == 1
