"""Test languages that prove the language list is configuration: a pseudo-locale (every letter of the English text
accented and the text lengthened by a third, so an untranslated string and a layout that cannot take longer words
both show) and a right-to-left one (the English text in Arabic letters). Catalogues are generated from the English
one into a folder of the test's own, and an app is configured with them (LANGUAGES, BABEL_TRANSLATION_DIRECTORIES):
nothing of them ships with the product, as a municipality's Arabic or Somali would not be ours either.

The codes are ones Babel knows (dates, numbers, plural rules and text direction come from its CLDR data) and
which no catalogue of ours uses: English (world) and Arabic (world)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from survey.kernel.config import ROOT

PSEUDO = "en_001"
RTL = "ar_001"
#: placeholders, markup and entities are kept as they are; only the text between them changes
KEEP = re.compile(r"%\([a-z_]+\)[sdf]|%[sd]|\{[^}]*\}|<[^>]*>|&[a-z]+;|https?://\S+")
ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ",
        strict=True,
    )
)
ARABIC = dict(zip("abcdefghijklmnopqrstuvwxyz", "ابچدهفگحیجکلمنوپقرسطویوخیز", strict=True))


def _each_text(text: str, change) -> str:
    parts, last = [], 0
    for kept in KEEP.finditer(text):
        parts.extend([change(text[last : kept.start()]), kept.group()])
        last = kept.end()
    return "".join([*parts, change(text[last:])])


def pseudo(text: str) -> str:
    """'Start the survey' → '⟦Şŧȧřŧ ŧħḗ şŭřṽḗẏ ···⟧': accented, a third longer, bracketed."""
    if not text.strip():
        return text
    changed = _each_text(text, lambda part: "".join(ACCENTED.get(c, c) for c in part))
    padding = " ".join("···" for _ in range(max(1, len(text) // 9)))  # words of three, so lines still break
    return f"⟦{changed} {padding}⟧"


def right_to_left(text: str) -> str:
    """The English text in Arabic letters: a right-to-left text of the same length and shape."""
    return _each_text(text, lambda part: "".join(ARABIC.get(c.lower(), c) for c in part))


CHANGES = {PSEUDO: pseudo, RTL: right_to_left}


def _is_pattern(message) -> bool:
    """A CLDR date pattern (its letters are the pattern): kept in English."""
    return any("CLDR" in comment for comment in message.auto_comments)


def write_catalogues(folder: Path) -> Path:
    """translations/<code>/LC_MESSAGES/messages.{po,mo} under `folder` for both test languages; returns `folder`."""
    with (ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        english = read_po(handle, locale="en")
    for code, change in CHANGES.items():
        with (ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalogue = read_po(handle, locale=code)  # the code's own plural rules
        for message in catalogue:
            if not message.id:
                continue
            source = english[message.id].string
            if _is_pattern(message):
                continue
            if isinstance(source, tuple):
                one, other = (change(s) for s in source)
                message.string = (one, *[other] * (catalogue.num_plurals - 1))
            else:
                message.string = change(source)
        messages = folder / code / "LC_MESSAGES"
        messages.mkdir(parents=True, exist_ok=True)
        with (messages / "messages.po").open("wb") as handle:
            write_po(handle, catalogue, width=120)
        with (messages / "messages.mo").open("wb") as handle:
            write_mo(handle, catalogue)
    return folder


def language_settings(folder: Path) -> dict:
    """The settings of an app that speaks the test languages besides Danish and English."""
    return {
        "LANGUAGES": ("da", "en", PSEUDO, RTL),
        "BABEL_TRANSLATION_DIRECTORIES": f"{ROOT / 'translations'};{folder}",
    }


def _add_texts(node):
    """Every text with an English version gets the test languages' versions of it."""
    if isinstance(node, dict):
        if "da" in node and isinstance(node.get("en"), str):
            return {**node, **{code: change(node["en"]) for code, change in CHANGES.items()}}
        return {key: _add_texts(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_add_texts(item) for item in node]
    return node


def questionnaire_in_test_languages(source: Path, target: Path) -> Path:
    """The questionnaire file `source` with texts in the test languages too, written to `target`."""
    target.write_text(
        yaml.safe_dump(_add_texts(yaml.safe_load(source.read_text(encoding="utf-8"))), allow_unicode=True)
    )
    return target
