"""The development mail sink: with MAIL_BACKEND=file (`make run`) staff can read what the app has mailed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import abort, current_app, render_template
from flask_babel import format_datetime

from survey.kernel import roles
from survey.kernel.mail import EML_NAME, FILE_BACKENDS
from survey.staff import bp
from survey.staff.access import role_required
from survey.staff.sinks import NEWEST, newest_files, sink_file

#: the names the file backend (survey.kernel.mail.EmlFolder) gives its files, one mail each; nothing else is opened
FILE_NAME = EML_NAME


@dataclass
class SinkMail:
    file: str
    index: int
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["subject"] or "")

    @property
    def to(self) -> str:
        return str(self.message["to"] or "")

    @property
    def sent(self) -> datetime | None:
        return parsedate_to_datetime(self.message["date"]) if self.message["date"] else None

    @property
    def sent_label(self) -> str:
        """When it was sent, in Danish time and the page's language."""
        return format_datetime(self.sent, format="medium") if self.sent else ""

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""

    @property
    def calendars(self) -> list[tuple[str, str]]:
        """(file name, text) of every .ics attachment."""
        return [
            (part.get_filename() or "kalender.ics", part.get_content())
            for part in self.message.iter_attachments()
            if part.get_content_type() == "text/calendar"
        ]


def sink_folder() -> Path | None:
    """The folder mails are written to, or None when mail goes out through SMTP (or another backend)."""
    state = current_app.extensions["mailman"]
    return Path(state.file_path) if state.backend in FILE_BACKENDS and state.file_path else None


def read_file(path: Path) -> list[SinkMail]:
    """The mail in an .eml file (a list, so that a page can name it by file and index as before)."""
    return [SinkMail(path.name, 0, message_from_bytes(path.read_bytes(), policy=policy.default))]


def newest_mails(folder: Path | None, limit: int = NEWEST) -> list[SinkMail]:
    """The newest mails first; file names start with the time they were written."""
    mails: list[SinkMail] = []
    for path in newest_files(folder, FILE_NAME):
        mails.extend(reversed(read_file(path)))
        if len(mails) >= limit:
            break
    return mails[:limit]


# Admins only: the sink holds every citizen's manage link (a key to their sign-up), not a meeting host's business.
@bp.get("/post")
@role_required(*roles.ADMINS)
def mailbox():
    """The newest mails in the development mail sink (nothing when mail goes through SMTP)."""
    folder = sink_folder()
    return render_template("staff/mailbox.html", sink=folder is not None, mails=newest_mails(folder))


@bp.get("/post/<name>/<int:index>")
@role_required(*roles.ADMINS)
def mailbox_message(name: str, index: int):
    """One mail from the sink: headers, the text and any calendar file as text."""
    mails = read_file(sink_file(sink_folder(), name, FILE_NAME))
    if index >= len(mails):
        abort(404)
    return render_template("staff/mailbox_message.html", mail=mails[index])
