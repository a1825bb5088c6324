"""The e-mail channel of the outbox: plain text in the message's language with an HTML alternative (its <html lang>
and dir say the language too), attachments as MIME parts.

The transport is Flask-Mailman: SMTP in production (MAIL_SERVER, …), a folder of .eml files in development
(MAIL_BACKEND=file), kept in memory in tests (locmem)."""

from __future__ import annotations

import re
from email.mime.text import MIMEText

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail

from survey.kernel.i18n import html_lang, text_direction
from survey.kernel.outbox import Attachment, Channel, Message

mail = Mail()


def _render(name: str, context: dict) -> str:
    """Render without the page context processors: a mail is also sent from the CLI, outside any request."""
    return current_app.jinja_env.get_template(name).render(context)


def _part(attachment: Attachment) -> MIMEText:
    """A text attachment with its content-type parameters (METHOD for an .ics, as mail programs expect)."""
    maintype, subtype = attachment.mimetype.split("/", 1)
    if maintype != "text":
        raise ValueError(f"only text attachments are supported, not {attachment.mimetype}")
    part = MIMEText(attachment.content.decode("utf-8"), subtype, "utf-8")
    for name, value in attachment.params.items():
        part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


class EmailChannel(Channel):
    """Reaches everyone who gave an e-mail address."""

    name = "email"
    contact = "email"

    def init_app(self, app: Flask) -> None:
        mail.init_app(app)

    def render(self, message: Message) -> EmailMultiAlternatives:
        """mail/<template>.txt and .html filled in, with the attachments."""
        language = {"html_lang": html_lang(message.language), "text_direction": text_direction(message.language)}
        context = {"subject": message.subject, **language, **message.context}
        text = _render(f"mail/{message.template}.txt", context)
        # the text templates may leave runs of blank lines where optional parts are left out: one is enough
        body = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        email = EmailMultiAlternatives(
            message.subject,
            body,
            current_app.config["MAIL_DEFAULT_SENDER"],
            [message.recipient.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        email.attach_alternative(_render(f"mail/{message.template}.html", context), "text/html")
        for attachment in message.attachments:
            email.attach(_part(attachment))
        return email

    def send(self, rendered: EmailMultiAlternatives) -> None:
        rendered.send()
