"""The e-mail channel of the outbox: plain text in the message's language with an HTML alternative (its <html lang>
and dir say the language too), attachments as MIME parts.

The transport is Flask-Mailman: SMTP in production (MAIL_SERVER, …), a folder of .eml files in development
(MAIL_BACKEND=file), kept in memory in tests (locmem)."""

from __future__ import annotations

import re
from datetime import datetime
from email.mime.text import MIMEText
from pathlib import Path
from secrets import randbelow

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.file import EmailBackend as FolderBackend

from survey.kernel.i18n import html_lang, text_direction
from survey.kernel.outbox import Attachment, Channel, Message

mail = Mail()
#: the MAIL_BACKEND values that mean "a folder of files" (MAIL_FILE_PATH): written by EmlFolder
FILE_BACKENDS = ("file", "flask_mailman.backends.file", "flask_mailman.backends.file.EmailBackend")
#: the names EmlFolder gives its files ('20261203-170000-123….eml'); the staff mail sink opens nothing else
EML_NAME = re.compile(r"^\d{8}-\d{6}-\d+\.eml$")


class EmlFolder(FolderBackend):
    """Flask-Mailman's file backend, one message per file named *.eml, so a mail program opens each as it is
    (the library's own writes every message of a connection into one .log file, separated by dashes)."""

    def write_message(self, message) -> None:
        # microseconds first, so that names sort in the order the mails were written; the random tail keeps
        # two processes writing in the same microsecond apart
        now = datetime.now()
        name = f"{now:%Y%m%d-%H%M%S}-{now:%f}{randbelow(10**6):06d}.eml"
        (Path(self.file_path) / name).write_bytes(message.message().as_bytes())

    def open(self) -> bool:
        return False  # each message opens its own file

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            self.write_message(message)
        return len(email_messages)


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
        state = current_app.extensions["mailman"]
        if state.backend in FILE_BACKENDS:
            rendered.connection = EmlFolder(mailman=state)
        rendered.send()
