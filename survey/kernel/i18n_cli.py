"""`flask translate update|compile`: extract, merge and compile the Babel catalogues in one place."""

from __future__ import annotations

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po
from flask import current_app
from flask.cli import AppGroup

from survey.kernel.config import ROOT

i18n_cli = AppGroup("translate", help="Oversættelser (Flask-Babel).")
POT = ROOT / "translations" / "messages.pot"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


@i18n_cli.command("update")
def update():
    """Extract strings from code and templates and merge them into every catalogue (a configured language without
    one gets it: the way to add a language)."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "--add-comments=i18n:",
        "--no-location",
        "--sort-output",
        "--width=120",
        "-o",
        str(POT),
        str(ROOT / "survey"),
        str(ROOT / "templates"),
    )
    for lang in catalogue_languages():
        catalogue = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
        command = "update" if catalogue.exists() else "init"
        extra = ["--ignore-obsolete", "--width=120"] if command == "update" else ["--width=120"]
        _pybabel(command, "-i", str(POT), "-d", str(ROOT / "translations"), "-l", lang, *extra)
    _fill_source_language(ROOT / "translations" / "da" / "LC_MESSAGES" / "messages.po")
    others = ", ".join(f"translations/{lang}" for lang in catalogue_languages() if lang != "da")
    click.echo(f"Opdateret {POT} og katalogerne; oversæt de tomme msgstr i {others} og kør 'flask translate compile'.")


def catalogue_languages() -> list[str]:
    """Danish, English, every configured language (LANGUAGES) and every catalogue already in translations/."""
    existing = [path.parent.parent.name for path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po")]
    return list(dict.fromkeys(["da", "en", *current_app.config["LANGUAGES"], *sorted(existing)]))


def _fill_source_language(path) -> None:
    """Danish is the language the strings are written in: its catalogue says so entry by entry."""
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="da")
    for message in catalogue:
        if message.id:
            # always the msgid itself: a fuzzy match from an older string would show the wrong Danish text
            message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalogue, no_location=True, sort_output=True, width=120)


@i18n_cli.command("compile")
def compile_catalogues():
    """Compile the catalogues to .mo files (done by make run and make test)."""
    _pybabel("compile", "-d", str(ROOT / "translations"), "--statistics")
