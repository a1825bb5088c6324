"""`flask demo generate-responses`: synthetic responses with the shape of real ones, realistic and reproducible."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from survey.kernel.clock import iso_week
from survey.kernel.codes import ALPHABET
from survey.kernel.extensions import db
from survey.meetings.models import Meeting
from survey.questionnaire import flow
from survey.questionnaire.models import Answer, Question, Response, Round
from survey.results.synthetic import generate_responses
from tests.factories import DATA

N = 500
HEX32 = re.compile(r"[0-9a-f]{32}")


def _round(slug: str) -> Round:
    return db.session.scalar(select(Round).where(Round.slug == slug))


def _answers(round_: Round) -> list[tuple[Answer, Question]]:
    query = select(Answer, Question).join(Question).join(Response).where(Response.round_id == round_.id)
    return db.session.execute(query).all()


def _signature(round_: Round) -> list[tuple]:
    """What was answered, per response, without the random keys."""
    per_response = defaultdict(list)
    for answer, question in _answers(round_):
        row = (question.key, answer.focus_area_id, answer.choice, answer.score, answer.text, answer.may_quote)
        per_response[answer.response_id].append(row)
    weeks = dict(db.session.execute(select(Response.id, Response.iso_week).where(Response.round_id == round_.id)).all())
    return sorted((weeks[key], tuple(sorted(rows, key=repr))) for key, rows in per_response.items())


@pytest.fixture
def generated(make_round, runner):
    """A Syddjurs round with N responses made by the command; returns (slug, command output)."""
    slug = make_round()
    result = runner.invoke(args=["demo", "generate-responses", "--round", slug, "--n", str(N), "--seed", "7"])
    assert result.exit_code == 0, result.output
    return slug, result.output


def test_the_command_reports_what_it_made(generated, in_app):
    slug, output = generated
    made = re.search(rf"^{N} besvarelser med (\d+) svar lavet i runden {slug} på [\d.]+ s .*seed 7\)", output)
    assert made, output
    with in_app():
        round_ = _round(slug)
        assert db.session.scalar(select(func.count()).select_from(Response).where(Response.round_id == round_.id)) == N
        assert len(_answers(round_)) == int(made.group(1))


def test_responses_have_unique_keys_and_a_week_of_the_round(generated, in_app):
    with in_app():
        round_ = _round(generated[0])
        responses = db.session.scalars(select(Response).where(Response.round_id == round_.id)).all()
        days = (round_.last_moment - round_.opens_at).days + 1
        weeks = {iso_week(round_.opens_at + timedelta(days=d)) for d in range(days)} | {iso_week(round_.last_moment)}
    assert all(HEX32.fullmatch(r.id) and HEX32.fullmatch(r.submission_id) for r in responses)
    assert all(len(r.receipt) == 8 and set(r.receipt) <= set(ALPHABET) for r in responses)
    for column in ("id", "submission_id", "receipt"):
        assert len({getattr(r, column) for r in responses}) == N
    assert {r.iso_week for r in responses} <= weeks


def test_every_answer_carries_the_focus_area_a_real_submit_would_give_it(generated, in_app):
    with in_app():
        round_ = _round(generated[0])
        areas = {area.code: area.id for area in round_.questionnaire.policy.focus_areas}
        routing = next(q for q in round_.questionnaire.spec.questions() if q.routing)
        option_area = {o.value: areas[o.focus_area] for o in routing.options}
        answers = _answers(round_)
    chosen = {a.response_id: option_area[a.choice] for a, q in answers if q.routing}
    assert len(chosen) == N, "every respondent answers the required routing question"
    for answer, question in answers:
        expected = chosen[answer.response_id] if question.follows_routing else question.focus_area_id
        assert answer.focus_area_id == expected, question.key
    background = [a for a, q in answers if q.dimension == "background" and not q.routing]
    assert background and all(a.focus_area_id is None for a in background)
    shares = sorted(list(chosen.values()).count(area) for area in set(chosen.values()))
    assert len(shares) == len(areas) and shares[-1] > 2 * shares[0], "areas are chosen with uneven weights"


def test_scores_dont_know_skips_and_free_text_look_like_real_answers(generated, in_app):
    with in_app():
        round_ = _round(generated[0])
        answers = _answers(round_)
        spec = round_.questionnaire.spec
    routes = {a.response_id: {"hjaelp": {"choice": a.choice}} for a, q in answers if q.key == "hjaelp"}
    asked_likert = sum(
        sum(q.question_kind.scored for q in flow.asked_questions(spec, route)) for route in routes.values()
    )
    likert = [a for a, q in answers if q.kind.startswith("likert")]
    for answer in likert:
        if answer.choice == "dont_know":
            assert answer.score is None
        else:
            assert answer.score in range(1, 6) and answer.choice == str(answer.score)
    assert all(a.score is None for a, q in answers if not q.kind.startswith("likert"))
    assert 0.04 < sum(a.choice == "dont_know" for a in likert) / len(likert) < 0.11
    assert len(routes) == N, "everyone answers the routing question"
    assert 0.06 < 1 - len(likert) / asked_likert < 0.14, "about 10 % of the items asked are skipped"
    texts = [a for a, q in answers if q.kind == "free_text"]
    consents = {a.response_id: a.choice for a, q in answers if q.key == "maa-citere"}
    assert 0.10 * N < len(texts) < 0.20 * N
    assert all(a.text and a.choice is None for a in texts)
    assert all(a.may_quote == (consents.get(a.response_id) == "yes") for a in texts)
    assert not any(a.may_quote for a, q in answers if q.kind != "free_text")
    assert 0.3 < sum(a.may_quote for a in texts) / len(texts) < 0.7
    for key in ("alder", "hvem-svarer"):
        assert 0.8 * N < sum(q.key == key for _a, q in answers) < 0.95 * N


def test_only_the_questions_of_the_route_drawn_are_answered(generated, in_app):
    with in_app():
        round_ = _round(generated[0])
        answers = _answers(round_)
        spec = round_.questionnaire.spec
    given: dict[str, dict] = defaultdict(dict)
    for answer, question in answers:
        given[answer.response_id][question.key] = {"choice": answer.choice}
    blocks = defaultdict(set)
    for route in given.values():
        asked = {q.id for q in flow.asked_questions(spec, route)}
        assert set(route) <= asked, f"answers to questions not asked on the route {route['hjaelp']}"
        blocks[route["hjaelp"]["choice"]] |= set(route) - {q.id for q in flow.asked_questions(spec, {})}
    assert len(blocks) == 6 and all(blocks.values()), "each route drawn answers its own block"
    assert all(answer.focus_area_id is None for answer, question in answers if question.routing)


def test_focus_areas_differ_in_satisfaction(generated, in_app):
    with in_app():
        round_ = _round(generated[0])
        query = (
            select(Answer.focus_area_id, func.avg(Answer.score))
            .join(Question)
            .join(Response)
            .where(Response.round_id == round_.id, Question.dimension == "satisfaction")
            .group_by(Answer.focus_area_id)
        )
        means = [float(mean) for _area, mean in db.session.execute(query)]
    assert len(means) == 5 and max(means) - min(means) > 0.5


def test_the_seed_fixes_the_answers_and_rounds_differ(make_round, in_app):
    slug = make_round()
    with in_app():
        generate_responses(_round(slug), 200, seed=3)
        first = _signature(_round(slug))
        db.session.execute(delete(Response))  # answers go with their responses (ON DELETE CASCADE)
        db.session.execute(delete(Answer))
        db.session.commit()
        generate_responses(_round(slug), 200, seed=3, chunk_size=37)
        assert _signature(_round(slug)) == first, "same seed, same answers, however the chunks fall"
        made = generate_responses(_round(slug), 200, seed=4)
        assert made[0] == 200 and db.session.scalar(select(func.count()).select_from(Response)) == 400
    other = make_round(label="2027 1. halvår")
    with in_app():
        generate_responses(_round(other), 200, seed=3)
        assert _signature(_round(other)) != first


def test_meeting_questions_give_one_row_per_focus_area_of_the_meeting(make_round, make_meeting, in_app):
    slug = make_round(questionnaire=DATA / "questionnaires/syddjurs-dialogmoede.yaml")
    meeting_id = make_meeting(areas=("1", "5"))
    with in_app():
        round_ = _round(slug)
        meeting = db.session.get(Meeting, meeting_id)
        round_.focus_areas, meeting.feedback_round_id = list(meeting.focus_areas), round_.id
        db.session.commit()
        areas = {area.id for area in round_.focus_areas}
        generate_responses(_round(slug), 50, seed=1)
        answers = _answers(_round(slug))
    meeting_rows = defaultdict(set)
    for answer, question in answers:
        if question.follows_meeting:
            meeting_rows[(answer.response_id, question.key)].add(answer.focus_area_id)
    assert meeting_rows and all(found == areas for found in meeting_rows.values())


def test_an_unknown_round_is_refused(runner):
    result = runner.invoke(args=["demo", "generate-responses", "--round", "findes-ikke", "--n", "5"])
    assert result.exit_code == 2 and "Runden 'findes-ikke' findes ikke." in result.output
