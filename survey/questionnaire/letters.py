"""Invitation letters for a round: single-use codes, each with the round's address and a QR code (SVG) that
opens it with the code filled in, and a CSV of them for mail merge.

`flask invitations create` writes them to a folder; a staff page can offer the same rows and QR codes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import segno
from sqlalchemy import select

from survey.kernel import codes
from survey.kernel.config import INSTANCE
from survey.kernel.extensions import db
from survey.kernel.urls import public_url
from survey.questionnaire.models import Round
from survey.questionnaire.rounds import create_invitations

CSV_NAME = "koder.csv"
CSV_HEADER = ("kode", "adresse", "qr_fil")


@dataclass(frozen=True)
class Letter:
    """What one letter prints: the code, the address to type it in, and the QR code's file."""

    code: str
    #: the round's start page
    address: str

    @property
    def link(self) -> str:
        """The address with the code filled in: what the QR code opens."""
        return f"{self.address}?kode={self.code}"

    @property
    def qr_file(self) -> str:
        return f"{self.code}.svg"

    @property
    def row(self) -> tuple[str, str, str]:
        """The CSV row: the code grouped for reading aloud, the address, the QR code's file."""
        return codes.grouped(self.code), self.address, self.qr_file


def invitation_round(slug: str) -> Round | None:
    """The round with this slug, if it uses personal invitations."""
    round_ = db.session.scalar(select(Round).where(Round.slug == slug))
    return round_ if round_ is not None and round_.uses_invitations else None


def default_folder(round_: Round) -> Path:
    return INSTANCE / "invitations" / round_.slug


def qr_svg(link: str) -> bytes:
    """The QR code of `link` as SVG, big enough to scan from a printed letter."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=4, border=2)
    return buffer.getvalue()


def create_letters(round_: Round, count: int) -> list[Letter]:
    """`count` new single-use codes for `round_` as letters; only the codes' keyed hashes are stored. Only flushes."""
    address = public_url("questionnaire.start", round_slug=round_.slug)
    return [Letter(code, address) for code in create_invitations(round_, count)]


def write_letters(letters: list[Letter], folder: Path) -> None:
    """Add `letters` to the folder's koder.csv (made with a header when new) and write a QR code file for each."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / CSV_NAME).open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if handle.tell() == 0:
            writer.writerow(CSV_HEADER)
        for letter in letters:
            (folder / letter.qr_file).write_bytes(qr_svg(letter.link))
            writer.writerow(letter.row)
