"""What looks like personal data in a citizen's comment: phone numbers, e-mail addresses, CPR-like numbers, street
addresses, ages and Danish first names. A quote that trips this detector is never printed as it stands: staff
write a redacted version (results.quotes), and that version must pass the detector too.

The detector errs towards caution (a duration like "i 3 år" passes, "81 år" does not); a false alarm costs an
analyst one rewording, a miss could name a citizen to the committee and the public agenda."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l

from survey.kernel.config import ROOT

#: Danish first names, one a line; "Navn *" is also a common word, a name only in the middle of a sentence
NAMES_FILE = ROOT / "data" / "names" / "fornavne.txt"

#: what each kind of finding is called on the staff pages
KINDS = {
    "phone": _l("telefonnummer"),
    "email": _l("e-mailadresse"),
    "cpr": _l("cpr-nummer"),
    "address": _l("adresse"),
    "age": _l("alder"),
    "name": _l("fornavn"),
}

#: checked in this order; a later match that overlaps an earlier one is left out (a CPR number is not a phone number)
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # ddmmyy-xxxx, with or without the dash
    ("cpr", re.compile(r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d\d[-\s]?\d{4}(?!\d)")),
    # eight digits, alone or in pairs: a Danish number begins with 2–9, or comes after +45 / 0045
    ("phone", re.compile(r"(?<![\d+])(?:(?:\+|00)45[\s-]?\d\d|[2-9]\d)(?:[\s-]?\d\d){3}(?!\d)")),
    # "Kirkevej 12", "Nørregade 5 B", "Frederiksberg Allé 3"
    (
        "address",
        re.compile(
            r"(?:\b\w+(?:vej|vejen|gade|gaden|allé|stræde|strædet|plads|pladsen|torv|torvet|vænge|vænget|stien|bakke"
            r"|bakken|toft|toften|parken|vang|vangen|løkke|høj|boulevard)|\b[A-ZÆØÅ]\w+\s(?:Allé|Alle|Vej|Gade|Plads"
            r"|Torv|Boulevard|Park))\s+\d{1,4}(?:\s?[a-zA-Z]\b)?",
            re.IGNORECASE,
        ),
    ),
    # "81 år", "81-årig", "81 års"; not a duration ("i 3 år", "for 2 år siden", "efter 5 år", "om 2 år")
    (
        "age",
        re.compile(
            r"(?<!\bi )(?<!\bfor )(?<!\befter )(?<!\bom )(?<![\d,.])\b\d{1,3}(?:\s?-?\s?årig\w*|\s*års?\b(?!\s+siden))",
            re.IGNORECASE,
        ),
    ),
]
_WORD = re.compile(r"[A-ZÆØÅ][a-zæøåéü]+(?:-[A-ZÆØÅ][a-zæøåéü]+)?")
#: a word after one of these (or first in the text) begins a sentence
_SENTENCE_MARKS = '.!?:;"„“«([-–'


@dataclass(frozen=True)
class Finding:
    """One thing in a text that looks like personal data: its kind (a key of KINDS) and where it is."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])


@cache
def first_names() -> tuple[frozenset[str], frozenset[str]]:
    """The name list: (names, names that are also common words)."""
    names, ambiguous = set(), set()
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _sep, mark = line.partition(" ")
        names.add(name)
        if mark.strip() == "*":
            ambiguous.add(name)
    return frozenset(names), frozenset(ambiguous)


def _names(text: str) -> list[Finding]:
    names, ambiguous = first_names()
    found = []
    for match in _WORD.finditer(text):
        parts = match.group().split("-")
        if not any(part in names for part in parts):
            continue
        before = text[: match.start()].rstrip()
        if all(part in ambiguous or part not in names for part in parts) and (
            not before or before[-1] in _SENTENCE_MARKS
        ):
            continue  # "Hans sag …" at the start of a sentence is "his", not a name
        found.append(Finding("name", match.start(), match.end(), match.group()))
    return found


def find_personal_data(text: str | None) -> list[Finding]:
    """Everything in `text` that looks like personal data, in the order it appears."""
    if not text:
        return []
    found: list[Finding] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if not any(match.start() < f.end and f.start < match.end() for f in found):
                found.append(Finding(kind, match.start(), match.end(), match.group()))
    found += [f for f in _names(text) if not any(f.start < o.end and o.start < f.end for o in found)]
    return sorted(found, key=lambda f: f.start)


def has_personal_data(text: str | None) -> bool:
    return bool(find_personal_data(text))


def kinds_found(findings: list[Finding]) -> list[str]:
    """The kinds found, each once, in the order they first appear (for a message: "fornavn, alder")."""
    return [str(KINDS[kind]) for kind in dict.fromkeys(f.kind for f in findings)]


def parts(text: str, findings: list[Finding]) -> list[tuple[str, Finding | None]]:
    """The text cut into plain pieces and findings, for a page that highlights what was found."""
    pieces, at = [], 0
    for finding in findings:
        if finding.start > at:
            pieces.append((text[at : finding.start], None))
        pieces.append((text[finding.start : finding.end], finding))
        at = finding.end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces
