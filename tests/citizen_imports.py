"""`python -m tests.citizen_imports DATABASE_URL ROUND_SLUG MEETING_ID`: what a fresh process that builds the app
and serves citizens has imported, as a gunicorn worker would, printed as JSON: the heavy libraries in sys.modules
after create_app() and after the public pages, a meeting's page and a whole survey answered through the test
client (tests/test_lean_worker.py)."""

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


def loaded() -> list[str]:
    return [name for name in HEAVY if name in sys.modules]


def main(url: str, slug: str, meeting_id: str) -> None:
    from survey import create_app
    from survey.kernel.config import TestConfig
    from tests.pages import CheckedClient
    from tests.questionnaire.walker import Citizen, path_of

    app = create_app({**TestConfig.as_dict(), "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret"})
    app.test_client_class = CheckedClient
    after_create_app = loaded()
    client = app.test_client()
    for page in ("/", "/moeder/", f"/moeder/{meeting_id}", f"/moeder/{meeting_id}/tilmeld", "/privatliv"):
        assert client.get(page).status_code == 200, page
    citizen = Citizen(client, slug)
    assert citizen.start().status_code == 302
    sent, _form = citizen.submit(citizen.answer_all())
    assert sent.status_code == 302, sent.status_code
    assert client.get(path_of(sent.location)).status_code == 200  # the receipt
    print(json.dumps({"after_create_app": after_create_app, "after_citizen": loaded()}))


if __name__ == "__main__":
    main(*sys.argv[1:])
