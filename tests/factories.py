"""Builders of the rows tests start from: one each for a policy, a round, a meeting and a registration. Each works
in the current app context and only flushes (the caller commits, as with the services); the `make_*` fixtures of
tests/conftest.py call them in an app context of their own, commit, and return the id (or a round's slug).

The defaults describe one ordinary case (Syddjurs, its satisfaction survey, a published meeting in a week);
a test passes as keywords what its case has otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from survey.kernel.clock import utcnow
from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.meetings.models import Meeting, Registration, Topic
from survey.policies.models import Policy
from survey.policies.services import load_policy
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Round
from survey.questionnaire.rounds import create_round

DATA = ROOT / "data"
SYDDJURS = DATA / "policies/syddjurs.yaml"
SYDDJURS_SURVEY = DATA / "questionnaires/syddjurs-tilfredshed.yaml"

#: a meeting on a Thursday in winter time, 5 December 2030 17.00–19.00 in Copenhagen (stored in UTC), whose mails,
#: calendar files and reminders the tests of tests/meetings read word for word: `make_meeting(**DECEMBER_MEETING)`
DECEMBER_MEETING = {
    "starts_at": datetime(2030, 12, 5, 16, 0),
    "ends_at": datetime(2030, 12, 5, 18, 0),
    "registration_deadline": datetime(2030, 12, 1),
    "accessible_toilet": True,
    "parking": False,
    "accessibility_note": "Indgang fra gården. Elevator til 1. sal.",
}
#: two days before the December meeting, plus an hour: inside the default reminder_days (2)
DECEMBER_REMINDER_DUE = DECEMBER_MEETING["starts_at"] - timedelta(days=2) + timedelta(hours=1)


def without_contact(path: Path) -> str:
    """The policy file's text without its `contact:`: a policy as written before the policy had a contact (the
    migration tests that load one at an older revision)."""
    text = path.read_text(encoding="utf-8")
    head, _contact, rest = text.partition("\ncontact:\n")
    return head + "\n" + rest[rest.index("focus_areas:") :] if rest else text


def make_policy(path: Path = SYDDJURS) -> Policy:
    """The policy in `path` (Syddjurs by default), created or updated."""
    policy, _changes = load_policy(path)
    return policy


def make_round(
    policy: Path = SYDDJURS,
    questionnaire: Path = SYDDJURS_SURVEY,
    access: str = "open",
    state: str = "open",
    label: str = "2026 2. halvår",
    slug: str | None = None,
    opens: datetime | None = None,
    closes: datetime | None = None,
    one_question_per_page: bool = False,
) -> Round:
    """Load a policy and questionnaire (Syddjurs by default) and open a round of it: open since yesterday for 30
    more days; `state` 'upcoming' opens it in two days, 'closed' closed it yesterday; `opens`/`closes` say
    otherwise. Its slug comes from the label unless given."""
    now = utcnow()
    window = {
        "open": (now - timedelta(days=1), now + timedelta(days=30)),
        "upcoming": (now + timedelta(days=2), now + timedelta(days=30)),
        "closed": (now - timedelta(days=30), now - timedelta(days=1)),
    }[state]
    make_policy(policy)
    questionnaire_row, _ = load_questionnaire(questionnaire)
    return create_round(
        questionnaire_row,
        label,
        opens or window[0],
        closes or window[1],
        access,
        slug=slug,
        allow_overlap=True,
        one_question_per_page=one_question_per_page,
    )


def make_meeting(
    policy: str = "syddjurs",
    capacity: int = 10,
    starts_in: timedelta = timedelta(days=7),
    deadline_before: timedelta = timedelta(days=1),
    status: str = "published",
    title: str = "Dialogmøde om job og uddannelse",
    areas: Sequence[str] = ("1", "5"),
    store: bool = True,
    **columns,
) -> Meeting:
    """A meeting of the policy (by slug; loaded from data/policies when it is not yet) on its focus areas with
    these codes: published, in a week (`starts_in`, or `starts_at`), two hours long, sign-up closing a day before
    (`deadline_before`), 10 seats, step-free with a hearing loop. `columns` set any other column or override one.
    With store=False it is only built, without policy and focus areas: for code that reads its columns."""
    starts = columns.pop("starts_at", None) or utcnow().replace(microsecond=0) + starts_in
    values = {
        "title": title,
        "description": "Vi vil gerne høre, hvad du synes.",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "venue_name": "Rådhuset, mødesal 1",
        "venue_address": "Lundbergsvej 2, 8400 Ebeltoft",
        "step_free": True,
        "hearing_loop": True,
        "capacity": capacity,
        "registration_deadline": starts - deadline_before,
        "status": status,
        **columns,
    }
    if not store:
        return Meeting(**values)
    row = db.session.scalar(select(Policy).where(Policy.slug == policy)) or make_policy(
        DATA / f"policies/{policy}.yaml"
    )
    meeting = Meeting(policy=row, focus_areas=[a for a in row.focus_areas if a.code in areas], **values)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def make_registration(
    meeting_id: int,
    name: str = "N.N.",
    status: str = "confirmed",
    seats: int = 1,
    role: str = "borger",
    topics: Sequence[str] = (),
    **columns,
) -> Registration:
    """A registration written as it is (no rules, no mail): a confirmed citizen with one seat unless told; each of
    `topics` a question for the meeting. `columns` set any other column (e-mail, phone, needs, attended, …)."""
    registration = Registration(meeting_id=meeting_id, role=role, name=name, seats=seats, status=status, **columns)
    registration.topics.extend(Topic(meeting_id=meeting_id, text=text) for text in topics)
    db.session.add(registration)
    db.session.flush()
    return registration
