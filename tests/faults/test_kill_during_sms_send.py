"""kill -9 `flask sms send` while it sends a batch through the real Kannel, then run it again (cron's next minute).

No message reaches the SMSC twice; every message but the one the killed sender had claimed reaches it exactly once;
and the outbox agrees: what arrived is sent (or delivered: Kannel's report may come first), the claimed one stays
'sending' until STALE makes it 'unknown', and nothing is left queued."""

from __future__ import annotations

import signal
import subprocess
from collections import Counter

import pytest

from survey.kernel.clock import utcnow
from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.kernel.sms import SmsMessage
from tests.servers import START_TIMEOUT
from tests.sms_gateway.helpers import rows, run_sms_send, sms_send_command, until

#: besides the fault, a server of its own: Kannel (tests/markers.py)
pytestmark = pytest.mark.deploy

MESSAGES = 60
#: messages to see at the SMSC before the kill; the rest are still to be sent
KILL_AFTER = 10


def test_kill_9_during_a_batch_sends_no_message_twice(app, app_ctx, kannel, live_server, database_url, tmp_path):
    kannel.clear()
    texts = [f"Din kode er nr. {n:03d}" for n in range(MESSAGES)]
    for n, text in enumerate(texts):
        db.session.add(
            SmsMessage(
                to_number=f"+45{20000000 + n}",
                body=text,
                template="plain",
                encoding="gsm7",
                segments=1,
                topic="round:1",
                status="queued",
                next_attempt_at=utcnow(),
            )  # fmt: skip
        )
    db.session.commit()
    db.session.close()

    command, env = sms_send_command(database_url, kannel, live_server.url, tmp_path)
    sender = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        kannel.wait_for(KILL_AFTER)
        sender.send_signal(signal.SIGKILL)
    finally:
        sender.kill()
        sender.wait(START_TIMEOUT)
    left = Counter(m.status for m in rows())
    assert left["queued"] > 0, f"killed mid-batch: {left}"

    run_sms_send(database_url, kannel, live_server.url, tmp_path)
    done = rows()
    taken = [m for m in done if m.status in ("sent", "delivered")]
    assert not [m for m in done if m.status == "queued"]
    claimed = [m for m in done if m.status == "sending"]
    assert len(claimed) <= 1, "only the message in flight when the sender died"
    arrived = Counter(m.text for m in kannel.wait_for(len(taken)))
    assert max(arrived.values()) == 1, "no message reached the SMSC twice"
    by_number = {m.to_number: m for m in done}
    assert all(by_number[f"+45{20000000 + texts.index(t)}"].status != "queued" for t in arrived)
    assert set(arrived) >= {texts[int(m.to_number) - 4520000000] for m in taken}
    missing = set(texts) - set(arrived)
    assert missing <= {texts[int(m.to_number) - 4520000000] for m in claimed}, "all but the one in flight arrived"
    until(lambda: all(m.status == "delivered" for m in rows() if m.status != "sending"), "Kannel's reports")
    assert max(Counter(m.text for m in kannel.messages()).values()) == 1
