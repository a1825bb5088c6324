"""Results built from the small hand-checkable data set: the mini policy and the measures questionnaire."""

from __future__ import annotations

import pytest

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.policies.services import load_policy
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.rounds import create_round
from survey.results.sums import rebuild_sums
from tests.helpers import TESTDATA
from tests.results.test_measures import answer


@pytest.fixture
def mini_rounds(in_app):
    """Factory: rounds in the given order (label → [(routing answer, items)]), each with its responses."""

    def make(people: dict[str, list[tuple[str, dict]]]) -> None:
        with in_app():
            load_policy(TESTDATA / "policies/mini.yaml")
            questionnaire, _ = load_questionnaire(TESTDATA / "questionnaires/measures.yaml")
            now = utcnow().replace(microsecond=0)
            later = now.replace(year=now.year + 1)
            for order, (label, given) in enumerate(people.items()):
                opens = now.replace(second=order)  # rounds are listed by opening time
                round_ = create_round(questionnaire, label, opens, later, slug=label.lower().replace(" ", "-"))
                db.session.add_all(answer(questionnaire, round_, routing, items) for routing, items in given)
            db.session.flush()
            rebuild_sums(db.session.connection())  # the responses are written past submit: summed here
            db.session.commit()

    return make
