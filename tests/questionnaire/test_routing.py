"""Routing conditions (`show_if`): refused at load where they cannot work, honoured by flow, and the demo
questionnaires' routes (at most 15 questions for anyone, every focus area its own block)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey.kernel.config import ROOT
from survey.kernel.datafiles import DataFileError, load_model
from survey.kernel.extensions import db
from survey.policies.models import FocusArea
from survey.policies.schema import PolicySpec
from survey.questionnaire import flow
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Questionnaire
from survey.questionnaire.schema import CHOSEN, QuestionnaireSpec
from survey.results.methods import scored_items
from tests.factories import make_policy, make_round
from tests.helpers import TESTDATA, edited

MINI = TESTDATA / "questionnaires" / "mini-tilfredshed.yaml"
#: mini-tilfredshed with routing: a page "tak" only for ung (its question only for ung too), then "om-dig"
ROUTED = [
    (
        '          da: "Må vi citere dit svar anonymt?"\n',
        '          da: "Må vi citere dit svar anonymt?"\n'
        "  - id: tak\n"
        "    show_if: {question: hjaelp, any_of: [ung]}\n"
        "    title:\n"
        '      da: "Som ung"\n'
        "    questions:\n"
        "      - id: tak-tilfreds\n"
        "        show_if: {question: hjaelp, any_of: [ung, job]}\n"
        "        kind: likert_satisfaction\n"
        "        dimension: satisfaction\n"
        "        focus_area: chosen\n"
        "        text:\n"
        '          da: "Hvor tilfreds er du som ung?"\n'
        "  - id: om-dig\n"
        "    title:\n"
        '      da: "Om dig"\n'
        "    questions:\n"
        "      - id: alder\n"
        "        kind: single_choice\n"
        "        dimension: background\n"
        "        text:\n"
        '          da: "Hvor gammel er du?"\n'
        "        options:\n"
        "          - value: ung\n"
        "            label:\n"
        '              da: "Under 30"\n'
        "          - value: voksen\n"
        "            label:\n"
        '              da: "30 eller ældre"\n',
    ),
]


@pytest.fixture
def mini_policy(app_ctx):
    make_policy(TESTDATA / "policies" / "mini.yaml")


def routed(tmp_path: Path, *more: tuple[str, str]) -> Path:
    base = edited(MINI, tmp_path / "routed.yaml", *ROUTED)
    return edited(base, tmp_path / "mini.yaml", *more) if more else base


def test_a_routed_questionnaire_loads_and_asks_each_route_its_own_pages(mini_policy, tmp_path):
    questionnaire, outcome = load_questionnaire(routed(tmp_path))
    spec = questionnaire.spec

    assert outcome == "created"
    asked = {
        answers["hjaelp"]["choice"]: [q.id for q in flow.asked_questions(spec, answers)]
        for answers in flow.routes(spec)
    }
    assert asked == {
        "job": ["hjaelp", "tilfreds", "faellesskab", "kommentar", "maa-citere", "alder"],
        "ung": ["hjaelp", "tilfreds", "faellesskab", "kommentar", "maa-citere", "tak-tilfreds", "alder"],
    }
    assert [step.id for step in flow.steps(spec, {})] == ["din-sag", "egne-ord", "om-dig"], "no routed page"


def test_a_question_condition_on_top_of_its_pages(mini_policy, tmp_path):
    path = routed(
        tmp_path,
        ("      - id: maa-citere\n", "      - id: maa-citere\n        show_if: {question: alder, any_of: [voksen]}\n"),
    )
    with pytest.raises(DataFileError) as caught:  # alder is on a later page
        load_questionnaire(path)
    assert any("tidligere side" in problem for problem in caught.value.problems)

    spec = load_model(routed(tmp_path), QuestionnaireSpec)[0]
    kommentar = next(q for q in spec.questions() if q.id == "kommentar")
    assert flow.is_asked(kommentar, {})
    tak = spec.pages[2]
    assert flow.is_asked(tak, {"hjaelp": {"choice": "ung"}}) and flow.is_asked(
        tak.questions[0], {"hjaelp": {"choice": "ung"}}
    )
    assert not flow.is_asked(tak, {"hjaelp": {"choice": "job"}}) and not flow.is_asked(tak, {})
    assert flow.is_asked(tak.questions[0], {"hjaelp": {"choice": "job"}}), "its own condition alone would allow it"
    assert not flow.is_asked(tak, {"hjaelp": {"text": "ung"}}), "only a choice can meet a condition"


#: one-line edits of the routed mini questionnaire, the problem they cause, and where the loader must say it is
CONDITION_RULES = [
    pytest.param(
        "show_if: {question: hjaelp, any_of: [ung]}",
        "show_if: {question: findes-ikke, any_of: [ung]}",
        "pages.2.show_if.question:",
        "ukendt spørgsmål 'findes-ikke'",
        id="unknown question",
    ),
    pytest.param(
        "      - id: alder\n",
        "      - id: alder\n        show_if: {question: tak-tilfreds, any_of: ['5']}\n",
        "pages.3.questions.0.show_if.question:",
        "der stilles til alle",
        id="question that is itself routed",
    ),
    pytest.param(
        "show_if: {question: hjaelp, any_of: [ung]}",
        "show_if: {question: hjaelp, any_of: [jobb]}",
        "pages.2.show_if.any_of.0:",
        "'hjaelp' har ingen svarmulighed 'jobb'",
        id="unknown option value",
    ),
    pytest.param(
        "show_if: {question: hjaelp, any_of: [ung]}",
        "show_if: {question: faellesskab, any_of: ['6']}",
        "pages.2.show_if.any_of.0:",
        "'faellesskab' har ingen svarmulighed '6'",
        id="value not on the scale",
    ),
    pytest.param(
        "      - id: faellesskab\n",
        "      - id: faellesskab\n        show_if: {question: hjaelp, any_of: [job]}\n",
        "pages.0.questions.2.show_if.question:",
        "skal pege på et spørgsmål på en tidligere side",
        id="question on the same page",
    ),
    pytest.param(
        "show_if: {question: hjaelp, any_of: [ung, job]}",
        "show_if: {question: alder, any_of: [ung]}",
        "pages.2.questions.0.show_if.question:",
        "skal pege på et spørgsmål på en tidligere side",
        id="later question",
    ),
    pytest.param(
        "show_if: {question: hjaelp, any_of: [ung]}",
        "show_if: {question: kommentar, any_of: [ung]}",
        "pages.2.show_if.question:",
        "skal pege på et spørgsmål med svarmuligheder",
        id="question without options",
    ),
    pytest.param(
        "show_if: {question: hjaelp, any_of: [ung, job]}",
        "show_if: {question: hjaelp, any_of: [job]}",
        "pages.2.questions.0.show_if.any_of:",
        "ingen kan nå spørgsmålet",
        id="contradicts its page",
    ),
    pytest.param(
        "        routing: true\n",
        "        routing: true\n        show_if: {question: alder, any_of: [ung]}\n",
        "pages.0.questions.0.routing:",
        "routing-spørgsmålet stilles til alle",
        id="routing question routed",
    ),
    pytest.param(
        "      - id: alder\n",
        "      - id: alder\n        show_if: {question: hjaelp, any_of: [job]}\n",
        "pages.3.questions.0.show_if:",
        "et baggrundsspørgsmål, som resultaterne deles efter, stilles til alle",
        id="breakdown question routed",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected_start", "message"), CONDITION_RULES)
def test_a_condition_that_cannot_work_is_refused_at_its_key(mini_policy, tmp_path, old, new, expected_start, message):
    with pytest.raises(DataFileError) as caught:
        load_questionnaire(routed(tmp_path, (old, new)))

    matching = [p for p in caught.value.problems if f": {expected_start}" in p]
    assert matching, f"no problem at {expected_start!r}: {caught.value.problems}"
    assert message in matching[0]
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 0


QUESTIONNAIRES = sorted((ROOT / "data" / "questionnaires").glob("*.yaml"))
MAX_QUESTIONS = 15


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=[path.stem for path in QUESTIONNAIRES])
def test_every_route_of_every_questionnaire_asks_at_most_15_and_each_area_its_block(path):
    spec = load_model(path, QuestionnaireSpec)[0]
    routing = next((q for q in spec.questions() if q.routing), None)
    blocks: dict[str, set[str]] = {}
    for answers in flow.routes(spec):
        asked = flow.asked_questions(spec, answers)
        assert len(asked) <= MAX_QUESTIONS, (answers, [q.id for q in asked])
        if routing is None:
            continue
        option = next(o for o in routing.options if o.value == answers[routing.id]["choice"])
        block = [q for q in asked if flow.conditions_on(spec, q)]
        assert len(block) >= 2, f"route {option.value} has no block of its own"
        assert all(q.focus_area in (CHOSEN, None, option.focus_area) for q in block), option.value
        blocks.setdefault(option.focus_area, set()).update(q.id for q in block)
    if routing is not None:
        policy = load_model(ROOT / "data" / "policies" / f"{spec.policy}.yaml", PolicySpec)[0]
        assert set(blocks) == {area.code for area in policy.focus_areas}, "every focus area gets its block"
        assert all(blocks.values())


def test_the_bilag_lists_for_each_focus_area_only_the_items_its_routes_ask(app_ctx):
    round_ = make_round()
    area = {a.code: a for a in db.session.scalars(select(FocusArea))}
    young, job = scored_items([round_], area["2"], "satisfaction"), scored_items([round_], area["1"], "satisfaction")
    assert "Hvor tilfreds er du med hjælpen til at komme i gang med en uddannelse eller et job?" in young
    assert not [text for text in young if "få et job eller blive i dit job" in text], "the job block is not area 2's"
    assert [text for text in job if "få et job eller blive i dit job" in text]
    assert "Hvor tilfreds er du alt i alt med den hjælp, du har fået?" in young and job, "the core is everyone's"
