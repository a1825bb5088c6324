"""The development SMS sink: with SMS_BACKEND=file (`make run`) admins read what the app has texted, with what each
message costs (encoding and segments, measured from the text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

from flask import current_app, render_template
from flask_babel import format_datetime

from survey.kernel import roles, sms
from survey.kernel.sms import FileBackend
from survey.kernel.sms_text import GSM7, UCS2, SmsSize, display_number, measure
from survey.staff import bp
from survey.staff.access import role_required
from survey.staff.sinks import NEWEST, newest_files, sink_file

FILE_NAME = FileBackend.FILE_NAME
ENCODINGS = {GSM7: "GSM-7", UCS2: "UCS-2"}


@dataclass
class SinkSms:
    """One file FileBackend wrote: 'To:' and 'Encoding:' lines, a blank line, the text."""

    file: str
    content: str

    @cached_property
    def _parts(self) -> tuple[dict[str, str], str]:
        head, _blank, text = self.content.partition("\n\n")
        headers = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        return headers, text.removesuffix("\n")

    @property
    def to(self) -> str:
        from phonenumbers import NumberParseException  # imported where used (issue 18)

        number = self._parts[0].get("To", "")
        try:
            return display_number(number)
        except NumberParseException:  # not written by FileBackend: shown as it stands
            return number

    @property
    def text(self) -> str:
        return self._parts[1]

    @property
    def encoding_label(self) -> str:
        return ENCODINGS[self.size.encoding]

    @property
    def size(self) -> SmsSize:
        """Measured from the text, so the page shows what the message really cost (the header says what was sent)."""
        return measure(self.text)

    @property
    def sent_label(self) -> str:
        """When it was written, in Danish time and the page's language."""
        stamp = FILE_NAME.fullmatch(self.file)["stamp"]
        return format_datetime(datetime.strptime(stamp, FileBackend.STAMP), format="medium")


def sink_folder() -> Path | None:
    """The folder SMS are written to, or None when they go to a gateway."""
    backend = current_app.extensions[sms.BACKENDS]
    return backend.folder if isinstance(backend, FileBackend) else None


def read_sms(path: Path) -> SinkSms:
    return SinkSms(path.name, path.read_text(encoding="utf-8"))


def _newest_first(name: str) -> tuple[str, int]:
    # the time, then the message id: two messages of the same second in the order they were sent
    match = FILE_NAME.fullmatch(name)
    return match["stamp"], int(match["id"])


# Admins only, like the mail sink: the texts carry manage links and codes.
@bp.get("/sms")
@role_required(*roles.ADMINS)
def sms_sink():
    """The newest SMS in the development sink (nothing when they go to a gateway)."""
    folder = sink_folder()
    messages = [read_sms(path) for path in newest_files(folder, FILE_NAME, _newest_first)[:NEWEST]]
    return render_template("staff/sms_sink.html", sink=folder is not None, messages=messages)


@bp.get("/sms/<name>")
@role_required(*roles.ADMINS)
def sms_sink_message(name: str):
    """One SMS from the sink: to, when, encoding, segments and the text."""
    return render_template("staff/sms_sink_message.html", message=read_sms(sink_file(sink_folder(), name, FILE_NAME)))
