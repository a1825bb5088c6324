"""Rounds of the mini policy that have closed, with their responses: results of closed rounds are published
(an open round's are not), so the tests of the bilag PDF and of the respondent-level export start from these."""

from __future__ import annotations

from datetime import timedelta

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.results.sums import rebuild_sums
from tests.factories import make_round
from tests.results.small_set import MEASURES, MINI, answer


def write_closed_rounds(people: dict[str, list[tuple[str, dict]]]) -> list[str]:
    """Rounds in the given order (label → [(routing answer, items)]), each closed yesterday; returns their slugs.
    Runs in the caller's app context and commits."""
    now = utcnow().replace(microsecond=0)
    slugs = []
    for order, (label, given) in enumerate(people.items()):
        opens = now - timedelta(days=60 - order)  # rounds are listed by opening time
        slug = label.lower().replace(" ", "-")
        round_ = make_round(
            policy=MINI, questionnaire=MEASURES, label=label, slug=slug, opens=opens, closes=now - timedelta(days=1)
        )
        db.session.add_all(answer(round_.questionnaire, round_, routing, items) for routing, items in given)
        slugs.append(slug)
    db.session.flush()
    rebuild_sums(db.session.connection())  # the responses are written past submit: summed here
    db.session.commit()
    return slugs
