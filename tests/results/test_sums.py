"""The results' kept sums (results.sums) against the GROUP BY over the answers they replace: after real submits,
under concurrent submits, after a rebuild, after synthetic responses and after upgrading a database that already
had answers."""

from __future__ import annotations

import dataclasses
import math
import random
import secrets
import threading
from itertools import combinations
from types import SimpleNamespace

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from survey.kernel.config import ROOT
from survey.kernel.datafiles import load_model
from survey.kernel.extensions import db
from survey.meetings.models import Meeting
from survey.policies.models import FocusArea, Policy
from survey.questionnaire import flow, services
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Draft, Response, Round
from survey.questionnaire.schema import QuestionnaireSpec
from survey.results import measures, report
from survey.results.measures import (
    SUM_COLUMNS,
    cell_sums,
    cell_sums_from_answers,
    question_sums,
    question_sums_from_answers,
)
from survey.results.models import ResultSum
from survey.results.report import DIMENSIONS, policy_report, policy_rounds, report_questions
from survey.results.sums import add_increments
from tests.factories import DATA, SYDDJURS_SURVEY, make_policy
from tests.questionnaire.walker import Citizen
from tests.results.small_set import MEASURES, MINI, ROUND_A_JOB, answer

#: the migration that made result_sum, and the one before it
SUMS_REVISION, BEFORE_SUMS = "11cddf4182d9", "1e5df0f8de1c"
LIKERT = ["1", "2", "3", "4", "5", "dont_know", None]  # None: the item is skipped
#: the Syddjurs questionnaire, whose pages after the routing question depend on its answer
SPEC = load_model(SYDDJURS_SURVEY, QuestionnaireSpec)[0]
#: most people answer about job help (focus area 1), so its cells get past the minimum group and are shown
ROUTING = ["job"] * 6 + ["ung", "hverdag", "andet"]
#: most are 30–49 and answer for themselves, so some of the breakdown groups are shown too
AGES = ["30-49"] * 4 + ["18-29", "65-79", None]
WHO = ["mig-selv"] * 4 + ["paaroerende-for-borger", None]


def varied_answers(rng: random.Random) -> dict:
    """One Syddjurs respondent: any routing, any mix of scores, "Ved ikke" and skipped items and backgrounds."""
    routing = rng.choice(ROUTING)
    pages: dict[str, dict] = {}
    for step in flow.steps(SPEC, {"hjaelp": {"choice": routing}}):  # the pages of the route, in order
        scored = [q.id for q in step.questions if q.question_kind.scored]
        pages[step.id] = {key: choice for key in scored if (choice := rng.choice(LIKERT)) is not None}
    pages["din-sag"] = {"hjaelp": routing}
    background = {"alder": rng.choice(AGES), "hvem-svarer": rng.choice(WHO)}
    pages["om-dig"] = {key: value for key, value in background.items() if value}
    return pages


def submit(client, slug: str, answers: dict) -> None:
    citizen = Citizen(client, slug)
    assert citizen.start().status_code == 302
    response, _form = citizen.submit(citizen.answer_all(answers))
    assert response.status_code == 302


def kept_rows() -> dict[tuple, tuple]:
    """The whole sums table: key → (n, dont_know, sums…)."""
    rows = db.session.scalars(select(ResultSum)).all()
    return {
        (r.round_id, r.focus_area_id, r.dimension, r.question, r.backgrounds): (
            r.n,
            r.dont_know,
            *(getattr(r, name) for name in SUM_COLUMNS),
        )
        for r in rows
    }


def assert_same_rows(found: dict[tuple, tuple], expected: dict[tuple, tuple]) -> None:
    """The same keys, counts exactly equal and sums to 1e-9."""
    assert found.keys() == expected.keys()
    for key, values in expected.items():
        assert found[key][:2] == values[:2], key
        assert found[key][2:] == pytest.approx(values[2:], abs=1e-9), key


def by_key(frame, keys: list[str]) -> dict[tuple, tuple]:
    frame = frame.fillna({name: 0.0 for name in SUM_COLUMNS})  # the GROUP BY gives NULL where nobody scored
    return {
        tuple(record[k] for k in keys): (int(record["n"]), int(record["dont_know"]), *(record[c] for c in SUM_COLUMNS))
        for record in frame.to_dict("records")
    }


def assert_kept_sums_are_the_group_by(round_ids: list[int], backgrounds: list[str]) -> None:
    """cell_sums for every subset of the background questions, and question_sums, kept and from the answers."""
    for dimension in DIMENSIONS:
        for size in range(len(backgrounds) + 1):
            for subset in combinations(backgrounds, size):
                keys = ["round_id", "focus_area_id", *(f"bg{n}" for n in range(size))]
                kept = by_key(cell_sums(dimension, round_ids, list(subset)), keys)
                assert kept, "nothing to compare"
                assert_same_rows(kept, by_key(cell_sums_from_answers(dimension, round_ids, list(subset)), keys))
        keys = ["round_id", "focus_area_id", "grp"]
        kept = by_key(question_sums(dimension, round_ids), keys)
        assert_same_rows(kept, by_key(question_sums_from_answers(dimension, round_ids), keys))


def assert_close(found, expected, where: str = "report") -> None:
    """Equal structures, floats to 1e-9 (the sums are added up in another order)."""
    if dataclasses.is_dataclass(expected) and not isinstance(expected, type):
        assert type(found) is type(expected), where
        for field in dataclasses.fields(expected):
            assert_close(getattr(found, field.name), getattr(expected, field.name), f"{where}.{field.name}")
    elif isinstance(expected, dict):
        assert found.keys() == expected.keys(), where
        for key in expected:
            assert_close(found[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, list | tuple):
        assert len(found) == len(expected), where
        for number, (a, b) in enumerate(zip(found, expected, strict=True)):
            assert_close(a, b, f"{where}[{number}]")
    elif isinstance(expected, float):
        assert math.isclose(found, expected, rel_tol=1e-9, abs_tol=1e-9), where
    else:
        assert found == expected, where


def round_ids(*slugs: str) -> list[int]:
    return [db.session.scalar(select(Round.id).where(Round.slug == slug)) for slug in slugs]


@pytest.fixture
def submitted(make_round, make_meeting, client, in_app):
    """Two Syddjurs rounds and a dialogue meeting's feedback round (one answer row per focus area of the meeting),
    answered through the pages with varied answers; returns the three slugs."""
    first, second = make_round(), make_round(label="2027 1. halvår")
    feedback = make_round(questionnaire=DATA / "questionnaires/syddjurs-dialogmoede.yaml", label="Møde")
    meeting_id = make_meeting(areas=("1", "5"))
    with in_app():
        meeting = db.session.get(Meeting, meeting_id)
        round_ = db.session.scalar(select(Round).where(Round.slug == feedback))
        round_.focus_areas, meeting.feedback_round_id = list(meeting.focus_areas), round_.id
        db.session.commit()
    rng = random.Random(6)
    for slug, people in ((first, 14), (second, 7)):
        for _ in range(people):
            submit(client, slug, varied_answers(rng))
    meeting_answers = [
        {"moedet": {"moede-tilfreds": "5", "moede-lyttet": "dont_know"}, "om-dig": {"hvem-svarer": "borger"}},
        {"moedet": {"moede-tilfreds": "2", "moede-adgang": "4"}, "bagefter": {"moede-ved-hvad-nu": "3"}},
    ]
    for answers in meeting_answers:
        submit(client, feedback, {"moedet": {}, "bagefter": {}, "egne-ord": {}, "om-dig": {}} | answers)
    return first, second, feedback


def test_after_real_submits_the_kept_sums_equal_the_group_by_over_the_answers(submitted, in_app, monkeypatch, runner):
    """One set of submits (walked through the pages: slow) serves the three checks."""
    with in_app():
        ids = round_ids(*submitted)
        for rounds in ([ids[0]], [ids[1]], ids[:2], [ids[2]], ids):
            _scored, breakdowns = report_questions([db.session.get(Round, r) for r in rounds])
            assert_kept_sums_are_the_group_by(rounds, [b.key for b in breakdowns])
        # a background question the sums are not split by (here the routing question) is summed from the answers
        keys = ["round_id", "focus_area_id", "bg0"]
        routing = by_key(cell_sums("satisfaction", ids, ["hjaelp"]), keys)
        assert_same_rows(routing, by_key(cell_sums_from_answers("satisfaction", ids, ["hjaelp"]), keys))
        assert {key[2] for key in routing} >= {"job", "ung"}
    the_report_is_the_same_from_the_answers(in_app, monkeypatch)
    a_rebuild_gives_the_sums_kept_at_submit(in_app, runner, submitted[1])


def the_report_is_the_same_from_the_answers(in_app, monkeypatch) -> None:
    """The committee's whole report and table, suppression included, read from the kept sums and computed from
    the answers."""
    with in_app():
        policy = db.session.scalar(select(Policy).where(Policy.slug == "syddjurs"))
        rounds = [r for r in policy_rounds(policy) if not r.focus_areas]  # not the meeting's feedback round
        kept_report, kept_table = policy_report(policy, rounds), report.policy_table(policy, rounds)
        shown = [row for row in kept_report.rows if row.satisfaction]
        assert shown and kept_report.question_shown and any(b.shown for b in kept_report.breakdowns)
        with monkeypatch.context() as patched:
            patched.setattr(report, "cell_sums", cell_sums_from_answers)
            patched.setattr(measures, "question_sums", question_sums_from_answers)
            assert_close(kept_report, policy_report(policy, rounds))
            assert_close(kept_table, report.policy_table(policy, rounds), "table")


def a_rebuild_gives_the_sums_kept_at_submit(in_app, runner, slug: str) -> None:
    """`flask results rebuild-sums`, for all rounds and for one, writes what the submits added up."""
    with in_app():
        incremental = kept_rows()
    result = runner.invoke(args=["results", "rebuild-sums"])
    assert result.exit_code == 0 and "alle runder" in result.output, result.output
    with in_app():
        assert_same_rows(kept_rows(), incremental)
        db.session.execute(ResultSum.__table__.delete())  # lost, or never made
        db.session.commit()
    result = runner.invoke(args=["results", "rebuild-sums", "--round", slug])
    assert result.exit_code == 0, result.output
    with in_app():
        [round_id] = round_ids(slug)
        assert_same_rows(kept_rows(), {key: value for key, value in incremental.items() if key[0] == round_id})
    result = runner.invoke(args=["results", "rebuild-sums", "--round", "findes-ikke"])
    assert result.exit_code == 2 and "findes-ikke" in result.output


def test_synthetic_responses_leave_correct_sums(make_round, runner, client, in_app):
    slug = make_round()
    result = runner.invoke(args=["demo", "generate-responses", "--round", slug, "--n", "300", "--seed", "2"])
    assert result.exit_code == 0, result.output
    submit(client, slug, varied_answers(random.Random(1)))  # a real submit adds to the rebuilt sums
    with in_app():
        _scored, breakdowns = report_questions([db.session.scalar(select(Round).where(Round.slug == slug))])
        assert_kept_sums_are_the_group_by(round_ids(slug), [b.key for b in breakdowns])


def test_upgrading_a_database_with_answers_sums_them(app, in_app):
    migrations = str(ROOT / "migrations")
    with in_app():
        downgrade(directory=migrations, revision=BEFORE_SUMS)
    try:
        with in_app():
            from survey.kernel.clock import utcnow

            now = utcnow()
            make_policy(MINI)
            questionnaire, _ = load_questionnaire(MEASURES)
            # the round in SQL: the model's round has the columns of later revisions (one question per page)
            round_ = SimpleNamespace(
                id=db.session.execute(
                    text(
                        "INSERT INTO round (questionnaire_id, slug, label, opens_at, closes_at, access) "
                        "VALUES (:q, 'foer-summerne', 'A', :o, :c, 'open') RETURNING id"
                    ),
                    {"q": questionnaire.id, "o": now, "c": now.replace(year=now.year + 1)},
                ).scalar()
            )
            # answers as a database made before the sums holds them (not through submit, which would add to them)
            db.session.add_all(answer(questionnaire, round_, "job", items) for items in ROUND_A_JOB)
            db.session.add(answer(questionnaire, round_, "ung", {"tilfreds-a": "dont_know"}))
            db.session.commit()
    finally:
        with in_app():
            upgrade(directory=migrations)
    with in_app():
        ids = round_ids("foer-summerne")
        assert_kept_sums_are_the_group_by(ids, ["alder"])
        cell = {c.focus_area_id: c for c in measures.cells("satisfaction", ids)}
        assert [c.n for c in cell.values()] == [5]  # the "Ved ikke"-only respondent has no mean


def _drafts(app, slug: str, count: int) -> list[str]:
    """Drafts of the same answers, ready to be sent; returns their submission ids."""
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == slug))
        answers = {"hjaelp": {"choice": "job"}, "tilfreds-respekt": {"choice": "4"}, "alder": {"choice": "30-49"}}
        answers |= {"ved-hvad-der-sker": {"choice": "dont_know"}, "tilfreds-hjaelp": {"choice": "2"}}
        ids = [secrets.token_hex(16) for _ in range(count)]
        db.session.add_all(
            Draft(round=round_, token_hash=secrets.token_hex(32), submission_id=key, answers=answers) for key in ids
        )
        db.session.commit()
    return ids


def _in_threads(app, work, shares: list) -> list[BaseException]:
    """Run work(share) in a thread per share, each with its own app context and so its own session and
    connection, started together; returns what they raised."""
    start, failures = threading.Barrier(len(shares)), []

    def run(share):
        try:
            with app.app_context():
                start.wait()
                work(share)
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            failures.append(error)
        finally:
            with app.app_context():
                db.session.remove()

    threads = [threading.Thread(target=run, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_a_submit_and_its_sums_are_one_transaction(app, make_round, in_app, monkeypatch):
    """The sums are added by the response-submitted handler inside the submit's transaction: they are there before
    the commit and go with a rollback; a handler that fails takes the response with it (the draft stays)."""
    slug = make_round()
    first, second = _drafts(app, slug, 2)

    def stored() -> tuple[int, int, int]:
        count = func.count()
        return tuple(db.session.scalar(select(count).select_from(t)) for t in (Response, ResultSum, Draft))

    with in_app():
        services.submit_response(db.session.scalar(select(Draft).where(Draft.submission_id == first)))
        responses, sums, drafts = stored()  # not committed yet, and the sums are already there
        assert responses == 1 and sums > 0 and drafts == 1
        db.session.rollback()
        assert stored() == (0, 0, 2)

    def broken(_response):
        raise RuntimeError("a handler failed")

    handlers = app.extensions[services.RESPONSE_SUBMITTED]
    monkeypatch.setitem(app.extensions, services.RESPONSE_SUBMITTED, [*handlers, broken])
    with in_app():
        with pytest.raises(RuntimeError, match="a handler failed"):
            services.submit_response(db.session.scalar(select(Draft).where(Draft.submission_id == second)))
        db.session.rollback()
        assert stored() == (0, 0, 2)


def test_concurrent_submits_into_the_same_cells_lose_no_addition(app, make_round, in_app):
    """Every thread sends its drafts one transaction each, all adding to the same rows; none may be lost. (The
    rows are made by a first submit; making them at the same time is in the test below.)"""
    slug, threads, each = make_round(), 4, 8
    first, *drafts = _drafts(app, slug, 1 + threads * each)

    def send(keys: list[str]) -> None:
        for key in keys:
            draft = db.session.scalar(select(Draft).where(Draft.submission_id == key))
            services.submit_response(draft)
            db.session.commit()

    with in_app():
        send([first])
    assert _in_threads(app, send, [drafts[n::threads] for n in range(threads)]) == []
    with in_app():
        ids = round_ids(slug)
        area = db.session.scalar(select(FocusArea.id).where(FocusArea.code == "1"))
        satisfaction = cell_sums("satisfaction", ids)
        assert satisfaction.loc[satisfaction.focus_area_id == area, "n"].tolist() == [1 + threads * each]
        assert_kept_sums_are_the_group_by(ids, ["alder", "hvem-svarer"])


def test_concurrent_additions_in_any_order_do_not_deadlock(app, make_round, in_app):
    """Submits touching the same rows, handed over in opposite orders: the rows are written in one order, so
    PostgreSQL never finds two transactions each waiting for a row the other holds."""
    slug, rounds_of_additions = make_round(), 15
    with in_app():
        [round_id] = round_ids(slug)
        area = db.session.scalar(select(FocusArea.id).where(FocusArea.code == "1"))
    keys = [(round_id, area, "satisfaction", f"q{n:03}", "") for n in range(120)]
    forward = {key: [1, 4.0, 16.0, 1.0, 1.0, 0] for key in keys}
    backward = dict(reversed(forward.items()))

    def add(increments: dict) -> None:
        for _ in range(rounds_of_additions):
            add_increments(db.session.connection(), increments)
            db.session.commit()

    assert _in_threads(app, add, [forward, backward, forward, backward]) == []
    with in_app():
        assert {row[:2] for row in kept_rows().values()} == {(4 * rounds_of_additions, 0)}
