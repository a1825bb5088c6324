"""The resume code sent to a mobile number or e-mail address the citizen types on 'Dine svar er gemt'.

The number or address is used once and kept nowhere: the SMS goes as a transient message (its row keeps neither
number nor text, and it is never retried), an e-mail leaves no row at all. What is sent is what the page shows:
the code and the link, built from the draft in the page's own address; the form names no draft."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from survey.kernel import codes, outbox
from survey.kernel.extensions import db
from survey.kernel.outbox import Message, Recipient
from survey.kernel.sms import DELIVERED, SENT, SmsMessage
from survey.kernel.urls import public_url
from survey.questionnaire import services
from survey.questionnaire.models import Draft, Round

#: topics of these messages start with this; each send has its own, to find its SMS row after the commit
TOPIC_PREFIX = "resume:"


@dataclass(frozen=True)
class ResumeCodeSending:
    """A queued resume code: the channel it went to (None: no channel reaches the recipient) and its topic."""

    channel: str | None
    topic: str


def resume_link(round_: Round, draft: Draft, token: str) -> str:
    """The public address that takes the draft up where the citizen left off."""
    endpoint, args = services.resume_address(round_, draft)
    return public_url(endpoint, round_slug=round_.slug, token=token, **args)


def queue_resume_code(round_: Round, draft: Draft, token: str, recipient: Recipient, language: str):
    """Queue the draft's code and link to `recipient`, to be sent once the caller commits."""
    questionnaire = round_.questionnaire
    municipality = questionnaire.policy.municipality or current_app.config["CONTROLLER_NAME"]
    context = {
        "code": codes.grouped(token),
        "link": resume_link(round_, draft, token),
        "address": public_url("questionnaire.resume", round_slug=round_.slug),
        "title": questionnaire.title,
        "last_moment": round_.last_moment,
        "sender": municipality,
        "helpline": questionnaire.policy.contact,  # a human to call, at the foot of the mail (mail/layout)
    }
    topic = f"{TOPIC_PREFIX}{secrets.token_hex(8)}"
    subject = _("Din kode til at fortsætte undersøgelsen")
    message = Message(recipient, "resume_code", subject, context, language, topic=topic, transient=True)
    return ResumeCodeSending(outbox.queue(message), topic)


def went_out(sending: ResumeCodeSending) -> bool:
    """After the commit: whether the code was handed on. An SMS the gateway refused (or could not take) is a
    failed row by now; an e-mail has been given to the mail server, whose refusal is logged, not reported here."""
    if sending.channel is None:
        return False
    if sending.channel != "sms":
        return True
    status = db.session.scalar(select(SmsMessage.status).where(SmsMessage.topic == sending.topic))
    return status in (SENT, DELIVERED)
