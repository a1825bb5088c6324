"""`flask demo load`: the three real policies, a questionnaire each and an open round each. Idempotent."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from datetime import datetime, time, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.kernel.clock import local_to_utc, utcnow
from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.kernel.urls import public_url
from survey.meetings.models import Meeting
from survey.policies.models import Policy
from survey.policies.services import load_policy
from survey.questionnaire import response_rate
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Round
from survey.questionnaire.rounds import create_round
from survey.results.synthetic import generate_responses
from survey.staff.services import create_staff, find_staff

demo_cli = AppGroup("demo", help="Demodata.")
DATA = ROOT / "data"


def current_half_year(now: datetime) -> tuple[str, datetime, datetime]:
    """The label and local start/end of the half-year we are in, e.g. ('2026 2. halvår', …)."""
    if now.month <= 6:
        return f"{now.year} 1. halvår", datetime(now.year, 1, 1), datetime(now.year, 7, 1)
    return f"{now.year} 2. halvår", datetime(now.year, 7, 1), datetime(now.year + 1, 1, 1)


def previous_half_year(now: datetime) -> tuple[str, datetime, datetime]:
    """The half-year before the one we are in."""
    _label, opens, _closes = current_half_year(now)
    return current_half_year(opens - timedelta(days=1))


#: synthetic responses a new demo round gets, so the results pages have something honest to show (closed
#: round, open round); real answers given through the survey come on top
DEMO_RESPONSES = {"previous": 420, "current": 260}


def _demo_round(questionnaire, half_year: tuple[str, datetime, datetime]) -> tuple[Round, bool]:
    label, opens, closes = half_year
    slug = f"{questionnaire.slug}-{label}".lower().replace(" ", "-").replace(".", "").replace("å", "aa")
    round_ = db.session.scalar(select(Round).where(Round.slug == slug))
    if round_ is not None:
        return round_, False
    # the demo shows the survey the way it reads best on a phone: one question per screen
    made = create_round(
        questionnaire,
        label,
        local_to_utc(opens),
        local_to_utc(closes),
        "open",
        slug,
        allow_overlap=True,
        one_question_per_page=True,
    )
    return made, True


def load_demo() -> tuple[list[Round], list[tuple[Round, int]]]:
    """Load policies and questionnaires from data/ and make sure each has a closed round (the previous
    half-year) and an open one. Returns the open rounds and, for rounds made now, how many synthetic responses
    they should get. Only flushes."""
    for path in sorted((DATA / "policies").glob("*.yaml")):
        load_policy(path)
    now = utcnow()
    rounds, to_fill = [], []
    for path in sorted((DATA / "questionnaires").glob("*.yaml")):
        questionnaire, _outcome = load_questionnaire(path)
        if not path.name.endswith("-tilfredshed.yaml"):
            continue  # the surveys after dialogue meetings get their rounds from the meetings
        for when, half_year in (("previous", previous_half_year(now)), ("current", current_half_year(now))):
            round_, made = _demo_round(questionnaire, half_year)
            if made:
                to_fill.append((round_, DEMO_RESPONSES[when]))
        rounds.append(round_)
    return rounds, to_fill


def count_demo_days(round_: Round, n: int, seed: int) -> None:
    """Give a demo round's synthetic responses the days their submits would have counted (response_rate), spread
    over the days it has been open, so that its curve and totals agree. Only executes."""
    first = response_rate.local_day(round_.opens_at)
    last = min(response_rate.local_day(), response_rate.local_day(round_.last_moment))
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    counted = Counter(random.Random(f"{seed}:days").choices(days, k=n))
    response_rate.add_days(round_.id, {day: (completed, completed) for day, completed in counted.items()})


#: (policy slug, (Danish title, English title), focus-area codes, days ahead, venue name, venue address, capacity)
DEMO_MEETINGS = [
    (
        "syddjurs",
        ("Dialogmøde: Den gode borgerdialog", "Dialogue meeting: Good dialogue with citizens"),
        ("5",),
        10,
        "Rådhuset, mødesal 1",
        "Lundbergsvej 2, 8400 Ebeltoft",
        30,
    ),
    (
        "syddjurs",
        ("Dialogmøde for unge og deres pårørende", "Dialogue meeting for young people and their families"),
        ("2", "5"),
        24,
        "Ungdommens Hus",
        "Torvet 4, 8410 Rønde",
        20,
    ),
    (
        "norddjurs",
        ("Dialogmøde: Borgeren først", "Dialogue meeting: The citizen first"),
        ("1",),
        14,
        "Biblioteket, salen",
        "Torvet 3, 8500 Grenaa",
        25,
    ),
    (
        "sonderborg",
        ("Dialogmøde om fællesskaber", "Dialogue meeting on communities"),
        ("4",),
        17,
        "Borgerhuset",
        "Rådhustorvet 10, 6400 Sønderborg",
        40,
    ),
]


def ensure_demo_meetings(now: datetime) -> list[Meeting]:
    """Published upcoming meetings for the demo, made once (known by policy and title). Only flushes."""
    made = []
    for slug, (title, title_en), codes, days, venue, address, capacity in DEMO_MEETINGS:
        policy = db.session.scalar(select(Policy).where(Policy.slug == slug))
        meeting = db.session.scalar(select(Meeting).where(Meeting.policy == policy, Meeting.title == title))
        if meeting is None:
            day = (now + timedelta(days=days)).date()
            starts = local_to_utc(datetime.combine(day, time(17, 0)))
            meeting = Meeting(
                policy=policy,
                title=title,
                title_en=title_en,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                registration_deadline=starts - timedelta(days=2),
                venue_name=venue,
                venue_address=address,
                capacity=capacity,
                step_free=True,
                hearing_loop=days % 2 == 0,
                accessible_toilet=True,
                description="Kom og fortæl os, hvad der virker, og hvad der kan gøres bedre. Der er kaffe og kage.",
                description_en="Come and tell us what works and what could be better. There will be coffee and cake.",
                focus_areas=[area for area in policy.focus_areas if area.code in codes],
                status="published",
            )
            db.session.add(meeting)
        made.append(meeting)
    db.session.flush()
    return made


DEMO_STAFF = {
    "admin": "demo-admin@borgerdialog.test",
    "survey_manager": "demo-undersoegelse@borgerdialog.test",
    "meeting_host": "demo-vaert@borgerdialog.test",
    "analyst": "demo-analytiker@borgerdialog.test",
}


def reset_demo_staff() -> dict[str, str]:
    """Make sure the demo staff users exist and give each a fresh password of its own, returned by role for
    printing. Only flushes.

    One password each: with a shared one, whoever was given the meeting host's login could log in as the admin.
    Their second factor is kept between runs (it is set up with a phone app at the first login), so an app that
    once scanned the demo's QR code keeps working."""
    passwords = {}
    for role, email in DEMO_STAFF.items():
        passwords[role] = password = secrets.token_urlsafe(18)
        user = find_staff(email) or create_staff(email, role, password, name=f"Demo ({role})")
        user.set_password(password)
    db.session.flush()
    return passwords


@demo_cli.command("load")
def load():
    """Load the demo policies, questionnaires and open rounds (safe to run again); print a demo staff login."""
    rounds, to_fill = load_demo()
    meetings = ensure_demo_meetings(utcnow())
    passwords = reset_demo_staff()
    db.session.commit()
    for round_, n in to_fill:
        generate_responses(round_, n, seed=round_.id)
        count_demo_days(round_, n, seed=round_.id)
    db.session.commit()
    if to_fill:
        click.echo(f"Syntetiske demosvar til resultatsiderne: {sum(n for _r, n in to_fill)} i {len(to_fill)} runder.")
    click.echo("Demodata er indlæst. Åbn en undersøgelse:")
    for round_ in rounds:
        click.echo(
            f"  {round_.questionnaire.policy.municipality}: {public_url('questionnaire.start', round_slug=round_.slug)}"
        )
    click.echo(f"Dialogmøder: {public_url('meetings.index')}  ({len(meetings)} kommende)")
    click.echo(f"Medarbejdere: {public_url('staff.login')}  (demo: kun til afprøvning)")
    for role, email in DEMO_STAFF.items():
        click.echo(f"  {role}: {email} / {passwords[role]}")
    click.echo("  Første login beder om totrinsbekræftelse: scan QR-koden med en app, fx Microsoft Authenticator.")
