"""Signing up for a dialogue meeting as a citizen does, through the public form, and reading the manage link from
the mail that follows: for the tests of tests/meetings and those of other packages that need a sign-up."""

from __future__ import annotations

import re

from tests.pages import csrf_token, error_summary

GOOD = {
    "name": "Karen Hansen",
    "email": "Karen@Example.dk",
    "phone": "",
    "role": "paaroerende",
    "on_behalf_of": "Ole",
    "seats": "2",
    "needs": ["step_free", "interpreter"],
    "interpreter_language": "arabisk",
    "needs_other": "",
    "topic": "Hvordan får vi svar hurtigere?",
    "topic_focus_area": "",
    "consent": "y",
}


def mails_to(app, email: str) -> list:
    """The mails sent to `email` so far (MAIL_BACKEND=locmem keeps them), oldest first."""
    return [m for m in getattr(app.extensions["mailman"], "outbox", []) if email.lower() in m.to]


def manage_link(client, email: str = "karen@example.dk") -> str:
    """The manage page's path from the newest mail to `email`, as the citizen gets it (never on the page)."""
    mails = mails_to(client.application, email)
    assert mails, f"no mail to {email}"
    (path,) = re.findall(r"^https?://[^/\s]+(/moeder/tilmelding/\S+)$", mails[-1].body, re.MULTILINE)
    return path


def sign_up(client, meeting_id: int, **changes):
    form = client.get(f"/moeder/{meeting_id}/tilmeld")
    data = {**GOOD, **changes, "csrf_token": csrf_token(form)}
    return client.post(f"/moeder/{meeting_id}/tilmeld", data={k: v for k, v in data.items() if v is not None})


def signed_up_link(client, meeting_id: int, **changes) -> str:
    """Sign up and return the manage link mailed for it."""
    response = sign_up(client, meeting_id, **changes)
    assert response.status_code == 302, error_summary(response)
    return manage_link(client, changes.get("email", GOOD["email"]))


def past_retention(in_app) -> None:
    """The only meeting ended 60 days ago: past the retention period of its sign-ups (and of their links)."""
    from datetime import timedelta

    from sqlalchemy import select

    from survey.kernel.extensions import db
    from survey.meetings.models import Meeting

    with in_app():
        meeting = db.session.scalars(select(Meeting)).one()
        meeting.starts_at -= timedelta(days=60)
        meeting.ends_at -= timedelta(days=60)
        db.session.commit()
