"""When a round's results are published: only once the round has closed.

While a round is open, every response moves its figures, so two downloads on either side of one response give
that person's answers exactly ((n+1)·m′ − n·m), and a cell hidden at 4 respondents shows the fifth's when it
reaches 5. So a round's figures are shown and exported only after it has closed, when nothing more can be sent
to it and they never change again; until then staff see how many have answered, for the round as a whole.

Rounds are never pooled: each cell is one round's own, suppressed within that round, and a selection of several
rounds shows them side by side, so no choice of rounds lets one be subtracted from another.

Every results output takes its rounds from `published` (results.views._choice), so the rule is applied once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from survey.kernel.clock import utcnow
from survey.questionnaire.models import Round
from survey.results.report import respondents_per_round

#: a submit that passed the round's open check just before the close may still be committing; the results wait
#: this long after the close, so none arrives after they were first shown (requests end long before)
SETTLE = timedelta(minutes=10)


def released_at(round_: Round) -> datetime:
    """When the round's results are first shown (naive UTC)."""
    return round_.closes_at + SETTLE


def is_published(round_: Round, now: datetime | None = None) -> bool:
    """True when the round has closed (and settled), so its figures are final and may be shown."""
    return (now or utcnow()) >= released_at(round_)


def published(rounds: list[Round], now: datetime | None = None) -> list[Round]:
    """The rounds whose results may be shown or exported, in the given order: the gate every output goes through."""
    now = now or utcnow()
    return [r for r in rounds if is_published(r, now)]


@dataclass(frozen=True)
class Progress:
    """An unpublished round: how many have answered so far, and when its results will be shown."""

    round_: Round
    responses: int

    @property
    def released_at(self) -> datetime:
        return released_at(self.round_)


def progress(rounds: list[Round], now: datetime | None = None) -> list[Progress]:
    """The rounds not yet published, with their response counts (the only figure shown of them)."""
    now = now or utcnow()
    waiting = [r for r in rounds if not is_published(r, now)]
    counts = respondents_per_round([r.id for r in waiting]) if waiting else {}
    return [Progress(r, counts.get(r.id, 0)) for r in waiting]
