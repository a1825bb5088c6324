"""Every UI string is in the catalogues, in Danish and in English."""

from __future__ import annotations

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from survey.kernel.config import ROOT


def catalogue(path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_the_template_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(fresh),
            str(ROOT / "survey"),
            str(ROOT / "templates"),
        ]
    )
    extracted = {m.id for m in catalogue(fresh) if m.id}
    committed = {m.id for m in catalogue(ROOT / "translations" / "messages.pot") if m.id}
    assert extracted == committed, "run `flask --app wsgi translate update` and translate the new strings"


def _filled(string) -> bool:
    """A translation, or every plural form of one, is there."""
    return all(string) if isinstance(string, tuple) else bool(string)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_string_is_translated(lang):
    expected = {m.id for m in catalogue(ROOT / "translations" / "messages.pot") if m.id}
    translated = {
        m.id
        for m in catalogue(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po")
        if m.id and _filled(m.string) and not m.fuzzy
    }
    assert expected - translated == set()
