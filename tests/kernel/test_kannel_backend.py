"""survey.kernel.kannel without a gateway: its report URL is built outside a request (as `flask sms send` runs),
and a gateway that takes the request and never answers leaves the message 'unknown', never sent again."""

from __future__ import annotations

import socket

from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from survey.kernel import outbox, sms
from survey.kernel.extensions import db
from survey.kernel.outbox import Message, Recipient
from survey.kernel.sms import SmsMessage


def test_the_report_url_is_built_without_a_request(make_app):
    app = make_app(SMS_BACKEND="kannel", SMS_REPORT_BASE_URL="https://app.kommune.internal/")
    with app.app_context():
        url = app.extensions[sms.BACKENDS].report_url(7)
        assert url == f"https://app.kommune.internal/sms/rapport/7?sig={sms.report_signature(7)}&type=%d"


def test_a_gateway_that_never_answers_leaves_the_message_unknown(make_app, monkeypatch):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # takes the connection and the request, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/cgi-bin/sendsms"
        app = make_app(SMS_BACKEND="kannel", SMS_KANNEL_URL=url, SMS_KANNEL_PASSWORD="hemmelig", SMS_KANNEL_TIMEOUT=0.5)
        loader = ChoiceLoader([DictLoader({"sms/plain.txt": "{{ text }}"}), app.jinja_loader])
        monkeypatch.setattr(app.jinja_env, "loader", loader)
        with app.app_context():
            outbox.queue(Message(Recipient(phone="+4520304050"), "plain", "Emne", {"text": "kode"}, topic="round:1"))
            db.session.commit()
            message = db.session.scalars(select(SmsMessage)).one()
            assert (message.status, message.body) == ("unknown", None)
            assert "hemmelig" not in message.error
            db.session.close()
            assert sms.send_due() == {}, "never sent again"
            assert [m.id for m in sms.problems("round:1")] == [message.id]
            db.session.remove()
