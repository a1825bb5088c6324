"""The results table of a policy: satisfaction and transparency per focus area and round, with n, intervals,
change since the previous round, and every cell under the minimum group size hidden (also complementarily)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select

from survey.extensions import db
from survey.policies.models import FocusArea, Policy
from survey.questionnaire.models import Questionnaire, Response, Round
from survey.results.measures import Cell, cells
from survey.results.stats import Change, change
from survey.results.suppression import minimum_group, suppress

DIMENSIONS = ("satisfaction", "transparency")


@dataclass(frozen=True)
class Row:
    """One focus area in one round: what a results table shows, or None where it must stay hidden."""

    focus_area: FocusArea
    round_: Round
    satisfaction: Cell | None
    transparency: Cell | None
    satisfaction_change: Change | None
    transparency_change: Change | None
    #: respondents who chose this focus area (the largest n of its cells); None when hidden
    respondents: int | None


def policy_rounds(policy: Policy) -> list[Round]:
    """Every round of the policy's questionnaires, oldest first."""
    query = select(Round).join(Questionnaire).where(Questionnaire.policy_id == policy.id)
    return list(db.session.scalars(query.order_by(Round.opens_at, Round.id)))


def respondents_per_round(round_ids: list[int]) -> dict[int, int]:
    """Responses per round: the total a table may show next to its cells."""
    query = select(Response.round_id, func.count()).where(Response.round_id.in_(round_ids)).group_by(Response.round_id)
    return dict(db.session.execute(query).all())


def _hide(found: list[Cell], totals: dict[int, int], minimum: int) -> dict[tuple[int, int], Cell]:
    """The cells that may be shown; the rest are dropped here, so no output can show them by mistake."""
    if not found:
        return {}
    frame = pd.DataFrame([{"round": c.round_id, "n": c.n} for c in found])
    hidden = suppress(frame, minimum, group="round", totals=totals)
    return {(c.round_id, c.focus_area_id): c for c, hide in zip(found, hidden, strict=True) if not hide}


def policy_table(policy: Policy, rounds: list[Round]) -> list[Row]:
    """Rows per focus area (policy order) and round (given order), suppression applied."""
    round_ids = [r.id for r in rounds]
    totals = respondents_per_round(round_ids)
    minimum = minimum_group()
    shown = {dimension: _hide(cells(dimension, round_ids), totals, minimum) for dimension in DIMENSIONS}
    rows = []
    for area in policy.focus_areas:
        previous: dict[str, Cell | None] = dict.fromkeys(DIMENSIONS)
        for round_ in rounds:
            now = {d: shown[d].get((round_.id, area.id)) for d in DIMENSIONS}
            changes = {d: change(now[d].mean, previous[d].mean) if now[d] and previous[d] else None for d in DIMENSIONS}
            sizes = [cell.n for cell in now.values() if cell]
            rows.append(
                Row(
                    area,
                    round_,
                    now["satisfaction"],
                    now["transparency"],
                    changes["satisfaction"],
                    changes["transparency"],
                    max(sizes) if sizes else None,
                )
            )
            previous = now
    return rows
