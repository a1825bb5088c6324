"""Invitation letters for a round: single-use codes, one print-ready PDF with one A4 letter per code (the code, a QR
code that opens the round with the code filled in, the address to type, the closing date, the anonymity promise and
a contact), and a CSV of the codes and addresses for a mail merge or a bulk Digital Post upload.

Only the codes' keyed hashes are stored in the database. The plaintext exists only in the two files: the command
line writes them to a folder it is given; the staff page keeps them as a batch under LETTERS_DIR until staff delete
them, LETTERS_KEEP_HOURS have passed or the round has closed (`flask purge-expired`), whichever comes first.

The PDF is written page by page as the codes are made (survey.questionnaire.letter_pdf says why not with a PDF
library), so that 10,000 letters take seconds and the memory of one letter."""

from __future__ import annotations

import csv
import io
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from survey.kernel import codes
from survey.kernel.clock import utcnow
from survey.kernel.config import INSTANCE
from survey.kernel.extensions import db
from survey.kernel.i18n import local_date
from survey.kernel.urls import public_url
from survey.questionnaire import letter_pdf
from survey.questionnaire.models import Round
from survey.questionnaire.rounds import create_invitations

PDF_NAME = "breve.pdf"
CSV_NAME = "koder.csv"
CSV_HEADER = ("nummer", "kode", "adresse", "link")
#: the staff page's limit (the command line allows more)
MAX_LETTERS = 50_000
#: codes made and flushed at once (create_letters)
CODES_AT_ONCE = 1000

#: fonts with the Danish letters, looked for in this order (Debian's paths; LETTER_FONTS can name others)
FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)


@dataclass(frozen=True)
class Letter:
    """What one letter prints: the code and the address to type it in."""

    code: str
    #: the round's start page
    address: str

    @property
    def link(self) -> str:
        """The address with the code filled in: what the QR code opens."""
        return f"{self.address}?kode={self.code}"

    def row(self, number: int) -> tuple[str, str, str, str]:
        """The CSV row: the letter's number (its page in the PDF), the code grouped for reading, the address to type,
        the link with the code filled in."""
        return str(number), codes.grouped(self.code), self.address, self.link


@dataclass(frozen=True)
class LetterText:
    """What every letter of one round says (in Danish: the letters go to citizens); only the code differs."""

    municipality: str
    heading: str
    intro: list[str]
    how: str
    scan: str
    or_type: str
    code_label: str
    deadline: str
    anonymity: list[str]
    contact: list[str]
    greeting: list[str]
    title: str


def invitation_round(slug: str) -> Round | None:
    """The round with this slug, if it uses personal invitations."""
    round_ = db.session.scalar(select(Round).where(Round.slug == slug))
    return round_ if round_ is not None and round_.uses_invitations else None


def default_folder(round_: Round) -> Path:
    """Where `flask invitations create` writes when not told: a new folder for each run."""
    return INSTANCE / "invitations" / round_.slug / f"{utcnow():%Y%m%d-%H%M%S}"


def letters_in(folder: Path) -> bool:
    """Whether `folder` already has letters: writing there would replace the only copy of their codes."""
    return (folder / PDF_NAME).exists() or (folder / CSV_NAME).exists()


def qr_svg(link: str) -> bytes:
    """The QR code of `link` as SVG (for a page that shows one)."""
    import segno  # here, as in _draw: a citizen's page never draws a QR code

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=4, border=2)
    return buffer.getvalue()


def create_letters(round_: Round, count: int) -> Iterator[Letter]:
    """`count` new single-use codes for `round_` as letters, made (and their keyed hashes flushed) CODES_AT_ONCE at
    a time as the letters are taken; only the hashes are stored. Only flushes."""
    address = public_url("questionnaire.start", round_slug=round_.slug)
    for start in range(0, count, CODES_AT_ONCE):
        for code in create_invitations(round_, min(CODES_AT_ONCE, count - start)):
            yield Letter(code, address)


def letter_text(round_: Round) -> LetterText:
    """The letter's words for `round_`: short sentences, one idea each, "du", no jargon (issue 15)."""
    config = current_app.config
    municipality = round_.questionnaire.policy.municipality
    with force_locale("da"):
        return LetterText(
            municipality=municipality,
            heading=round_.questionnaire.title,
            intro=[
                _("Vi vil gerne høre, hvad du synes."),
                _("Du svarer på nogle spørgsmål på nettet."),
                _("Du bestemmer selv, om du vil svare."),
            ],
            how=_("Sådan svarer du"),
            scan=_("Scan QR-koden med kameraet på din mobil."),
            or_type=_("Eller skriv denne adresse på din computer eller mobil:"),
            code_label=_("Skriv så din kode:"),
            deadline=_("Svar senest den %(date)s.", date=local_date(round_.last_moment)),
            anonymity=[
                _("Din kode er ikke koblet til dine svar."),
                _("Vi kan ikke se, hvilke svar der er dine."),
                _("Koden virker kun én gang."),
            ],
            contact=[
                _("Har du spørgsmål? Ring til os på %(phone)s.", phone=config["CONTACT_PHONE"]),
                _("Du kan ringe %(hours)s.", hours=config["CONTACT_HOURS"]),
            ],
            greeting=[_("Venlig hilsen"), municipality],
            title=_("Invitation: %(topic)s", topic=round_.questionnaire.title),
        )


def _fonts() -> dict[str, letter_pdf.Font]:
    """The regular and the bold font of the letters (embedded whole in the PDF)."""
    configured = current_app.config.get("LETTER_FONTS")
    candidates = [tuple(configured.split(":"))] if configured else FONT_CANDIDATES
    for regular, bold in candidates:
        if Path(regular).is_file() and Path(bold).is_file():
            return {"regular": letter_pdf.load_font(regular), "bold": letter_pdf.load_font(bold)}
    raise RuntimeError(f"no font for the letters: install fonts-liberation or set LETTER_FONTS ({candidates})")


@lru_cache(maxsize=256)
def wrap(text: str, font: letter_pdf.Font, size: float, width: float) -> tuple[str, ...]:
    """`text` in lines no wider than `width` points, broken at spaces (a longer word gets a line of its own).
    Remembered: every letter of a batch has the same sentences."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return tuple(lines)


def _draw(page: letter_pdf.Page, letter: Letter, text: LetterText, fonts: dict[str, letter_pdf.Font]) -> None:
    """One letter on an A4 page: 25 mm margins, 13 pt text, the code at 26 pt, the QR code 38 mm wide."""
    mm = letter_pdf.MM
    left, width = 25 * mm, letter_pdf.PAGE_WIDTH - 50 * mm
    y = letter_pdf.PAGE_HEIGHT - 25 * mm

    def lines(items: list[str], style: str = "regular", size: float = 13, after: float = 0) -> None:
        nonlocal y
        for item in items:
            for line in wrap(item, fonts[style], size, width):
                page.text(left, y, line, style, size)
                y -= size * 1.45
        y -= after

    lines([text.municipality], "bold", 14, after=14 * mm)
    lines([text.heading], "bold", 20, after=4 * mm)
    lines(text.intro, after=6 * mm)
    lines([text.how], "bold", 15, after=1 * mm)
    lines([text.scan])
    qr_size = 38 * mm
    import segno

    # a fixed mask: choosing the best of eight takes 3/4 of segno's time, and every mask scans
    page.qr(segno.make(letter.link, error="m", mask=0, boost_error=False).matrix, left, y - qr_size, qr_size)
    y -= qr_size + 10 * mm
    lines([text.or_type])
    lines([letter.address], "bold", 14, after=4 * mm)
    lines([text.code_label], after=3 * mm)
    lines([codes.grouped(letter.code)], "bold", 26, after=4 * mm)
    lines([text.deadline], "bold", after=5 * mm)
    lines(text.anonymity, after=5 * mm)
    lines(text.contact, after=5 * mm)
    lines(text.greeting)


def write_letters(round_: Round, letters: Iterable[Letter], folder: Path) -> tuple[Path, Path]:
    """breve.pdf (one A4 page per letter) and koder.csv (one row per letter, numbered as the pages) in `folder`
    (made if missing; the files readable by the owner only), written as the letters come: memory stays that of one
    letter. An existing pair would be replaced (callers refuse: letters_in)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    pdf, table = folder / PDF_NAME, folder / CSV_NAME
    for path in (pdf, table):
        path.touch(mode=0o600)
    try:
        text, fonts = letter_text(round_), _fonts()
        with pdf.open("wb") as pdf_handle, table.open("w", newline="", encoding="utf-8") as csv_handle:
            writer = letter_pdf.Writer(pdf_handle, text.title, text.municipality, "da-DK", fonts)
            rows = csv.writer(csv_handle)
            rows.writerow(CSV_HEADER)
            for number, letter in enumerate(letters, start=1):
                with writer.page() as page:
                    _draw(page, letter, text, fonts)
                rows.writerow(letter.row(number))
            writer.close()
    except BaseException:
        # half a file is no use, and the caller rolls the codes back: leave nothing behind
        pdf.unlink(missing_ok=True)
        table.unlink(missing_ok=True)
        raise
    return pdf, table


# The staff page's batches: one folder per "make N letters", LETTERS_DIR/<round slug>/<made>-<count>-<random>.

_BATCH_NAME = re.compile(r"^(\d{8}T\d{6})-(\d{1,6})-([0-9a-f]{16})$")


@dataclass(frozen=True)
class Batch:
    """Letters made in one go on the staff page, waiting to be downloaded."""

    round_slug: str
    name: str
    #: UTC, naive
    made_at: datetime
    count: int
    folder: Path

    @property
    def pdf(self) -> Path:
        return self.folder / PDF_NAME

    @property
    def csv(self) -> Path:
        return self.folder / CSV_NAME

    def expires_at(self, round_: Round) -> datetime:
        """When purge-expired deletes it: after LETTERS_KEEP_HOURS, or when the round closes if that is sooner."""
        return min(self.made_at + timedelta(hours=keep_hours()), round_.closes_at)


def letters_dir() -> Path:
    return Path(current_app.config["LETTERS_DIR"])


def keep_hours() -> int:
    return current_app.config["LETTERS_KEEP_HOURS"]


def _batch(round_slug: str, folder: Path) -> Batch | None:
    match = _BATCH_NAME.match(folder.name)
    if match is None or not folder.is_dir():
        return None
    made_at = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S")
    return Batch(round_slug, folder.name, made_at, int(match.group(2)), folder)


def make_batch(round_: Round, count: int, now: datetime | None = None) -> Batch:
    """`count` new codes for `round_` (their hashes flushed) and their PDF and CSV as a new batch. Only flushes;
    if the caller does not commit, it must delete the batch (the codes would not work)."""
    made_at = (now or utcnow()).replace(microsecond=0)
    name = f"{made_at:%Y%m%dT%H%M%S}-{count}-{secrets.token_hex(8)}"
    folder = letters_dir() / round_.slug / name
    try:
        write_letters(round_, create_letters(round_, count), folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Batch(round_.slug, name, made_at, count, folder)


def batches(round_: Round) -> list[Batch]:
    """The round's batches still on disk, newest first."""
    folder = letters_dir() / round_.slug
    if not folder.is_dir():
        return []
    found = (_batch(round_.slug, child) for child in folder.iterdir())
    return sorted((batch for batch in found if batch is not None), key=lambda b: (b.made_at, b.name), reverse=True)


def find_batch(round_: Round, name: str) -> Batch | None:
    if _BATCH_NAME.match(name) is None:
        return None
    return _batch(round_.slug, letters_dir() / round_.slug / name)


def delete_batch(batch: Batch) -> None:
    shutil.rmtree(batch.folder, ignore_errors=True)


def purge_letter_files(now: datetime | None = None) -> int:
    """Delete every batch older than LETTERS_KEEP_HOURS, of a round that has closed or of a round that no longer
    exists (and anything else in LETTERS_DIR that is not a batch). Returns how many batches went."""
    now = now or utcnow()
    root = letters_dir()
    if not root.is_dir():
        return 0
    folders = list(root.iterdir())
    rounds = {r.slug: r for r in db.session.scalars(select(Round).where(Round.slug.in_([f.name for f in folders])))}
    removed = 0
    for round_folder in folders:
        round_ = rounds.get(round_folder.name)
        children = list(round_folder.iterdir()) if round_folder.is_dir() else []
        for child in children:
            batch = _batch(round_folder.name, child)
            if round_ is None or batch is None or now >= batch.expires_at(round_):
                removed += batch is not None
                _remove(child)
        if not round_folder.is_dir() or not any(round_folder.iterdir()):
            _remove(round_folder)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
