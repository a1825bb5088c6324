"""`python -m tests.citizen_imports DATABASE_URL ROUND_SLUG MEETING_ID`: what a fresh process that builds the app
and serves citizens has loaded, as a gunicorn worker would, printed as JSON: the heavy libraries and our
command-line modules in sys.modules after create_app() and after a whole survey answered through the test client,
the public pages and a meeting's page; Babel's CLDR data in memory after the survey; and SQLAlchemy's dialects loaded
at the end (tests/test_lean_worker.py)."""

from __future__ import annotations

import json
import sys

#: libraries that only staff pages need (results, reports, exports, letters, calendars, passwords, migrations)
HEAVY = (
    "pandas",
    "numpy",
    "scipy",
    "weasyprint",
    "openpyxl",
    "PIL",
    "icalendar",
    "segno",
    "zxcvbn",
    "alembic",
)

#: the modules of our commands (survey.cli.COMMANDS), imported only when a command is looked up
COMMAND_MODULES = (
    "survey.backup",
    "survey.demo",
    "survey.kernel.i18n_cli",
    "survey.kernel.sms_cli",
    "survey.meetings.cli",
    "survey.policies.cli",
    "survey.questionnaire.cli",
    "survey.results.cli",
    "survey.retention",
    "survey.staff.cli",
)


#: libraries a citizen's page needs only for some answers (a phone number typed) or never (YAML data files, read
#: by staff and the command line; argon2 for staff passwords): each costs a worker 0.5–2 MiB of RSS (issue 18)
SOMETIMES = ("phonenumbers", "yaml", "argon2")


def loaded() -> list[str]:
    return [name for name in (*HEAVY, *SOMETIMES) if name in sys.modules]


def command_modules() -> list[str]:
    """Our command-line modules imported so far: a worker runs no command."""
    return [name for name in COMMAND_MODULES if name in sys.modules]


def dialects() -> list[str]:
    """SQLAlchemy's database dialects loaded: a worker needs only its own database's."""
    from survey.kernel.database import DIALECTS

    return [name for name in DIALECTS if f"sqlalchemy.dialects.{name}" in sys.modules]


def cldr_loaded() -> list[str]:
    """Babel's CLDR data in memory: the locales loaded, and "global" for its global data (about 5 MiB in all)."""
    import babel.core
    from babel import localedata

    return sorted(localedata._cache) + (["global"] if babel.core._global_data is not None else [])


def main(url: str, slug: str, meeting_id: str) -> None:
    from survey import create_app
    from survey.kernel.config import TestConfig
    from tests.pages import CheckedClient
    from tests.questionnaire.walker import Citizen, path_of

    app = create_app({**TestConfig.as_dict(), "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret"})
    app.test_client_class = CheckedClient
    after_create_app = loaded() + command_modules()
    client = app.test_client()
    citizen = Citizen(client, slug)
    assert citizen.start().status_code == 302
    sent, _form = citizen.submit(citizen.answer_all())
    assert sent.status_code == 302, sent.status_code
    assert client.get(path_of(sent.location)).status_code == 200  # the receipt
    for lang in ("en", "da"):  # the start page in the other language and back
        assert client.get(f"/s/{slug}/?lang={lang}").status_code == 200
    after_survey = cldr_loaded()
    for page in ("/", "/moeder/", f"/moeder/{meeting_id}", f"/moeder/{meeting_id}/tilmeld", "/privatliv"):
        assert client.get(page).status_code == 200, page
    after_citizen = loaded() + command_modules()
    found = {
        "after_create_app": after_create_app,
        "after_citizen": after_citizen,
        "cldr_after_survey": after_survey,
        "dialects": dialects(),
    }
    print(json.dumps(found))


if __name__ == "__main__":
    main(*sys.argv[1:])
