"""The fuzz tests' budget and counter: every test declares how many examples it runs (EXAMPLES in its module),
counts the examples that really ran, and the package checks the total (at least MIN_TOTAL) when it ran whole."""

from __future__ import annotations

import functools
import importlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import select

from survey.kernel import codes
from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from tests.factories import DATA
from tests.fuzz.harness import Ledger

# Hypothesis keeps its caches (not an example database: the tests run without one) beside pytest's own
set_hypothesis_home_dir(ROOT / ".pytest_cache" / "hypothesis")

MIN_TOTAL = 10_000
#: examples really executed, per test function (module:function)
EXECUTED: Counter[str] = Counter()


class Fuzz:
    """Runs one Hypothesis test inside a pytest test and counts its examples and their outcomes."""

    def __init__(self, key: str, budget: int):
        self.key, self.budget = key, budget
        self.outcomes: Counter[str] = Counter()

    def given(self, *strategies):
        """Decorate the example function: reproducible (derandomized), no deadline, no example database."""

        def decorate(example):
            @functools.wraps(example)  # Hypothesis reads the example's own signature
            def counted(*args, **kwargs):
                Ledger.before_example()
                example(*args, **kwargs)
                EXECUTED[self.key] += 1

            run = given(*strategies)(counted)
            return settings(
                max_examples=self.budget,
                deadline=None,
                database=None,
                derandomize=True,
                print_blob=False,
                report_multiple_bugs=False,  # later "bugs" would be the first one's leftovers in the database
                phases=(Phase.explicit, Phase.generate, Phase.shrink),
                suppress_health_check=list(HealthCheck),
            )(run)

        return decorate

    def outcome(self, name: str) -> None:
        self.outcomes[name] += 1

    def check(self, **at_least: int) -> None:
        """Every planned example ran, and each named outcome happened at least so often."""
        assert EXECUTED[self.key] >= self.budget, f"{self.key}: {EXECUTED[self.key]} of {self.budget} examples ran"
        for name, minimum in at_least.items():
            assert self.outcomes[name] >= minimum, f"{self.key}: outcome {name!r} {self.outcomes[name]} < {minimum}"


def _key(module, function_name: str) -> str:
    return f"{module.__name__}:{function_name}"


@pytest.fixture
def fuzz(request) -> Fuzz:
    key = _key(request.module, request.function.__name__)
    EXECUTED[key] = 0
    yield Fuzz(key, request.module.EXAMPLES[request.function.__name__])
    Ledger.open_ledgers.clear()


def planned() -> dict[str, int]:
    """Every fuzz test of the package with the examples it plans (its module's EXAMPLES)."""
    plan = {}
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        module = importlib.import_module(f"tests.fuzz.{path.stem}")
        plan.update({_key(module, name): n for name, n in getattr(module, "EXAMPLES", {}).items()})
    return plan


@pytest.fixture(scope="package", autouse=True)
def _at_least_min_total(request):
    """When every fuzz test ran and passed, the examples they executed add up to at least MIN_TOTAL."""
    yield
    plan = planned()
    if set(plan) <= set(EXECUTED) and not request.session.testsfailed:
        total = sum(EXECUTED[key] for key in plan)
        assert total >= MIN_TOTAL, f"only {total} fuzz examples ran; at least {MIN_TOTAL} are required"


@pytest.fixture
def raw_client(app):
    """Factory: a test client that does not parse pages (the fuzz tests send thousands of requests)."""

    def make() -> FlaskClient:
        return FlaskClient(app, app.response_class, use_cookies=True)

    return make


# --- the citizen survey: rounds in every state, invitation codes, drafts -------------------------------------------

INVITATION_CODES = 300
USED_CODES = 25


@dataclass
class SurveyWorld:
    """Round slugs by kind, and the invitation codes of the two invitation rounds (code → invitation id)."""

    slugs: dict[str, str]
    codes: dict[str, dict[str, int]] = field(default_factory=dict)
    used: dict[str, set[str]] = field(default_factory=dict)
    meeting_areas: int = 0

    def uses_codes(self, kind: str) -> bool:
        return kind in self.codes


@pytest.fixture
def survey_world(app, make_round, make_meeting) -> SurveyWorld:
    """An open, a closed and an upcoming open-link round, an invitation round, and the feedback round of a
    dialogue meeting that has just ended (an invitation round whose answers address the meeting's areas)."""
    from survey.meetings.feedback import feedback_round
    from survey.meetings.models import Meeting
    from survey.questionnaire.loading import load_questionnaire
    from survey.questionnaire.models import Invitation, Round
    from survey.questionnaire.rounds import create_invitations

    slugs = {
        "open": make_round(),
        "closed": make_round(state="closed", label="2025 1. halvår"),
        "upcoming": make_round(state="upcoming", label="2027 1. halvår"),
        "invitation": make_round(access="invitation", label="2026 med kode"),
        "unknown": "findes-ikke",
    }
    meeting_id = make_meeting(starts_in=-timedelta(hours=3), deadline_before=timedelta(days=1))
    world = SurveyWorld(slugs)
    with app.app_context():
        load_questionnaire(DATA / "questionnaires/syddjurs-dialogmoede.yaml")
        meeting = db.session.get(Meeting, meeting_id)
        world.slugs["feedback"] = feedback_round(meeting).slug
        world.meeting_areas = len(meeting.focus_areas)
        for kind in ("invitation", "feedback"):
            round_ = db.session.scalar(select(Round).where(Round.slug == world.slugs[kind]))
            made = create_invitations(round_, INVITATION_CODES)
            by_hash = {codes.keyed_hash(code, "invitation"): code for code in made}
            invitations = db.session.scalars(select(Invitation).where(Invitation.round_id == round_.id)).all()
            world.codes[kind] = {by_hash[i.code_hash]: i.id for i in invitations}
            world.used[kind] = set(made[:USED_CODES])
            for invitation in invitations:
                invitation.used = by_hash[invitation.code_hash] in world.used[kind]
        db.session.commit()
    return world


# --- dialogue meetings: one open for sign-up, and one for every reason sign-up is closed --------------------------


@dataclass
class MeetingWorld:
    """Meeting ids by kind, and the focus areas (ids as text) of the open meeting and of none of them."""

    ids: dict[str, int]
    areas: list[str]
    other_area: str


@pytest.fixture
def meeting_world(app, make_meeting) -> MeetingWorld:
    from survey.meetings.models import Meeting
    from survey.policies.models import FocusArea

    ids = {
        "open": make_meeting(capacity=6),
        "roomy": make_meeting(capacity=100_000, title="Dialogmøde om fællesskaber"),
        "deadline": make_meeting(starts_in=timedelta(hours=10), deadline_before=timedelta(days=1)),
        "cancelled": make_meeting(status="cancelled"),
        "draft": make_meeting(status="draft"),
        "long_past": make_meeting(starts_in=timedelta(days=-60)),
        "unknown": 987_654,
        "huge": 10**20,
    }
    with app.app_context():
        areas = [str(a.id) for a in db.session.get(Meeting, ids["open"]).focus_areas]
        other = db.session.scalar(select(FocusArea.id).where(FocusArea.id.not_in([int(a) for a in areas])).limit(1))
    return MeetingWorld(ids, areas, str(other))
