"""The small data set whose measures tests/results/test_measures.py computes by hand: the mini policy, the measures
questionnaire, the answers of rounds A and B, and `answer`, which writes a response the way submit would."""

from __future__ import annotations

import secrets

from survey.questionnaire.models import Response
from survey.questionnaire.services import build_answers
from tests.helpers import TESTDATA

MINI = TESTDATA / "policies/mini.yaml"
MEASURES = TESTDATA / "questionnaires/measures.yaml"
DK = "dont_know"
# Focus area 1 ("job"), round A: five people. Person means (satisfaction) 4.5, 3, 4, 1.5, 5; shares of 4–5
# answers 1, 0, 1, 0, 1; one "Ved ikke"; one skipped item. Transparency means 5, 3, 1, 3, 4.
# Ages: three "ung", one "aeldre", one not answered.
ROUND_A_JOB = [
    {"tilfreds-a": "5", "tilfreds-b": "4", "klar-a": "5", "klar-b": "5", "alder": "ung"},
    {"tilfreds-a": "3", "tilfreds-b": DK, "klar-a": "3", "klar-b": "3", "alder": "ung"},
    {"tilfreds-a": "4", "klar-a": "1", "alder": "ung"},
    {"tilfreds-a": "2", "tilfreds-b": "1", "klar-a": "4", "klar-b": "2", "alder": "aeldre"},
    {"tilfreds-a": "5", "tilfreds-b": "5", "klar-a": "4", "klar-b": "4"},
]
# Focus area 2 ("ung"), round A: four people — under the minimum.
ROUND_A_YOUNG = [{"tilfreds-a": "4", "klar-a": "4"}] * 4
# Round B, focus area 1: five people, all 5.
ROUND_B_JOB = [{"tilfreds-a": "5", "tilfreds-b": "5", "klar-a": "5", "klar-b": "5"}] * 5


def answer(questionnaire, round_, routing: str, items: dict) -> Response:
    """A response as submit would store it (written directly, so the running sums are left to the caller): the
    routing question `hjaelp` answered with `routing`, each of `items` a choice (`kommentar` a text)."""
    given = {key: {"text": value} if key == "kommentar" else {"choice": value} for key, value in items.items()}
    answers = {"hjaelp": {"choice": routing}} | given
    return Response(
        id=secrets.token_hex(16),
        round_id=round_.id,
        submission_id=secrets.token_hex(16),
        receipt=secrets.token_hex(4).upper(),
        iso_week="2026-W47",
        answers=build_answers(questionnaire, answers),
    )
