"""Results built from the small hand-checkable data set: the mini policy and the measures questionnaire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.questionnaire.models import Answer
from survey.results.sums import rebuild_sums
from tests.factories import make_round
from tests.results.small_set import MEASURES, MINI, answer


@pytest.fixture
def mini_rounds(in_app):
    """Factory: rounds in the given order (label → [(routing answer, items)]), each with its responses; closed
    yesterday, so their results are published (results.release), unless `closed` is False."""

    def make(people: dict[str, list[tuple[str, dict]]], closed: bool = True) -> None:
        with in_app():
            now = utcnow().replace(microsecond=0)
            start = now - timedelta(days=30)
            closes = now - timedelta(days=1) if closed else now + timedelta(days=30)
            for order, (label, given) in enumerate(people.items()):
                opens = start.replace(second=order)  # rounds are listed by opening time
                slug = label.lower().replace(" ", "-")
                round_ = make_round(
                    policy=MINI, questionnaire=MEASURES, label=label, slug=slug, opens=opens, closes=closes
                )
                db.session.add_all(answer(round_.questionnaire, round_, routing, items) for routing, items in given)
            db.session.flush()
            rebuild_sums(db.session.connection())  # the responses are written past submit: summed here
            db.session.commit()

    return make


#: the answers of every commenting respondent of `commented`
COMMENTER = {"tilfreds-a": "4", "klar-a": "4", "alder": "ung"}


def person(number: int, consent: bool, round_label: str) -> dict:
    return COMMENTER | {
        "kommentar": f"Kommentar {number} fra runde {round_label}",
        "maa-citere": "yes" if consent else "no",
    }


@pytest.fixture
def commented(mini_rounds, in_app):
    """Round A: 10 respondents for Job, all commenting, the even ones agreeing to be quoted. Round B: 9."""
    mini_rounds(
        {
            "Runde A": [("job", person(i, i % 2 == 0, "A")) for i in range(10)],
            "Runde B": [("job", person(i, True, "B")) for i in range(9)],
        }
    )
    with in_app():
        return {a.text: a.id for a in db.session.scalars(select(Answer).where(Answer.text.is_not(None)))}
