"""build_answers: which focus area each answer addresses, Likert scores, skipped questions and quote consent.

The Syddjurs questionnaire routes on `hjaelp` (background: its answer addresses no area) and asks each route its own
block of questions; `tilfreds-lyttet` is fixed on area 5; `alder` and `hvem-svarer` address no area; `kommentar`
follows the routing and `maa-citere` is its quote consent."""

from __future__ import annotations

import pytest

from survey.kernel.config import ROOT
from survey.kernel.datafiles import load_model
from survey.kernel.extensions import db
from survey.policies.models import FocusArea
from survey.questionnaire import flow
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.schema import QuestionnaireSpec
from survey.questionnaire.services import build_answers
from tests.factories import make_policy

DATA = ROOT / "data"
ROUTING_TO_AREA = {"job": "1", "ung": "2", "hverdag": "3", "flere-steder": "3", "faellesskab": "4", "andet": "5"}
#: every scored question that follows the routing choice, on whichever route it is asked
CHOSEN_QUESTIONS = [
    q.id
    for q in load_model(DATA / "questionnaires" / "syddjurs-tilfredshed.yaml", QuestionnaireSpec)[0].questions()
    if q.focus_area == "chosen" and q.question_kind.scored
]
BACKGROUND = {"alder": "30-49", "hvem-svarer": "mig-selv"}


@pytest.fixture
def questionnaire(app_ctx):
    make_policy(DATA / "policies" / "syddjurs.yaml")
    questionnaire, _ = load_questionnaire(DATA / "questionnaires" / "syddjurs-tilfredshed.yaml")
    return questionnaire


def answers_for(routing: str, **extra: dict[str, str]) -> dict[str, dict[str, str]]:
    """A full draft: the routing choice, '4' on every Likert question of every route (as a citizen who answered
    on other routes before changing the routing answer), a comment and the background questions."""
    answers = {"hjaelp": {"choice": routing}, "tilfreds-lyttet": {"choice": "4"}}
    answers |= {key: {"choice": "4"} for key in CHOSEN_QUESTIONS}
    answers |= {"kommentar": {"text": "Sagsbehandleren ringede tilbage."}, "maa-citere": {"choice": "yes"}}
    answers |= {key: {"choice": value} for key, value in BACKGROUND.items()}
    return answers | extra


def by_key(rows) -> dict:
    return {row.question.key: row for row in rows}


def area_code(row) -> str | None:
    """The code of the focus area an answer row addresses (rows are not flushed, so look the id up)."""
    return None if row.focus_area_id is None else db.session.get(FocusArea, row.focus_area_id).code


@pytest.mark.parametrize(("routing", "area"), ROUTING_TO_AREA.items())
def test_every_chosen_question_gets_the_chosen_options_area(questionnaire, routing, area):
    rows = by_key(build_answers(questionnaire, answers_for(routing)))

    asked = [q.id for q in flow.asked_questions(questionnaire.spec, answers_for(routing)) if q.id in CHOSEN_QUESTIONS]
    assert len(asked) >= 5
    for key in [*asked, "kommentar"]:
        assert area_code(rows[key]) == area, key
    assert (rows["hjaelp"].choice, rows["hjaelp"].focus_area_id) == (routing, None), "the routing answer is background"


@pytest.mark.parametrize("routing", ROUTING_TO_AREA)
def test_answers_to_questions_not_asked_on_the_route_are_not_stored(questionnaire, routing):
    """A citizen who answered one route's block and then changed the routing answer: only the new route is stored."""
    answers = answers_for(routing)
    rows = build_answers(questionnaire, answers)

    asked = {q.id for q in flow.asked_questions(questionnaire.spec, answers)}
    assert {row.question.key for row in rows} == asked & set(answers)
    assert set(answers) - asked, "the draft holds answers to other routes' questions"


@pytest.mark.parametrize("routing", ROUTING_TO_AREA)
def test_fixed_question_keeps_its_area_whatever_was_chosen(questionnaire, routing):
    rows = by_key(build_answers(questionnaire, answers_for(routing)))

    assert area_code(rows["tilfreds-lyttet"]) == "5"


def test_background_questions_address_no_area(questionnaire):
    rows = by_key(build_answers(questionnaire, answers_for("job")))

    for key, value in BACKGROUND.items():
        assert (rows[key].focus_area_id, rows[key].choice, rows[key].score) == (None, value, None)
    assert (rows["maa-citere"].focus_area_id, rows["maa-citere"].choice) == (None, "yes")


@pytest.mark.parametrize(
    ("choice", "score"),
    [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5), ("dont_know", None)],
)
@pytest.mark.parametrize("key", ["tilfreds-hjaelp", "ved-hvad-der-sker", "tilfreds-lyttet"])
def test_likert_choice_gives_its_score(questionnaire, key, choice, score):
    rows = by_key(build_answers(questionnaire, answers_for("ung", **{key: {"choice": choice}})))

    assert (rows[key].choice, rows[key].score, rows[key].text) == (choice, score, None)


def test_non_likert_answers_have_no_score(questionnaire):
    rows = by_key(build_answers(questionnaire, answers_for("job")))

    for key in ["hjaelp", "kommentar", "maa-citere", "alder", "hvem-svarer"]:
        assert rows[key].score is None, key


def test_skipped_questions_make_no_row(questionnaire):
    answers = answers_for("hverdag")
    for skipped in ["tilfreds-hjem", "tilfreds-lyttet", "alder", "kommentar", "maa-citere"]:
        del answers[skipped]

    rows = build_answers(questionnaire, answers)

    asked = {q.id for q in flow.asked_questions(questionnaire.spec, answers)}
    assert sorted(row.question.key for row in rows) == sorted(asked & set(answers))


def test_empty_draft_answer_makes_no_row(questionnaire):
    rows = build_answers(questionnaire, answers_for("job", **{"alder": {}}))

    assert "alder" not in by_key(rows)


def test_chosen_questions_without_a_routing_answer_address_no_area(questionnaire):
    answers = answers_for("job")
    del answers["hjaelp"]

    rows = by_key(build_answers(questionnaire, answers))

    assert rows["tilfreds-hjaelp"].focus_area_id is None
    assert area_code(rows["tilfreds-lyttet"]) == "5"


@pytest.mark.parametrize(
    ("comment", "consent", "may_quote"),
    [
        ("Godt samarbejde.", "yes", True),
        ("Godt samarbejde.", "no", False),
        ("Godt samarbejde.", None, False),
        ("", "yes", False),
        (None, "yes", False),
    ],
    ids=["text and yes", "text and no", "text, consent skipped", "yes with empty text", "yes without text"],
)
def test_may_quote_only_with_consent_and_text(questionnaire, comment, consent, may_quote):
    answers = answers_for("faellesskab")
    del answers["kommentar"], answers["maa-citere"]
    if comment is not None:
        answers["kommentar"] = {"text": comment}
    if consent is not None:
        answers["maa-citere"] = {"choice": consent}

    rows = by_key(build_answers(questionnaire, answers))

    assert all(not row.may_quote for key, row in rows.items() if key != "kommentar")
    if comment is None:
        assert "kommentar" not in rows
    else:
        assert (rows["kommentar"].text, rows["kommentar"].may_quote) == (comment, may_quote)
        assert area_code(rows["kommentar"]) == "4"
