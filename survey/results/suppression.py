"""No result for fewer than the minimum number of respondents, anywhere, and nothing that lets one be worked out.

Every output (screens, CSV, XLSX, report, JSON) passes its cells through `suppress` before showing them."""

from __future__ import annotations

import pandas as pd
from flask import current_app

#: the floor the configuration can never go below
ABSOLUTE_MINIMUM = 5


def minimum_group() -> int:
    """The configured minimum group size, never below 5."""
    return max(ABSOLUTE_MINIMUM, int(current_app.config.get("RESULTS_MIN_GROUP", ABSOLUTE_MINIMUM)))


def suppress(cells: pd.DataFrame, minimum: int, group: str | None = None, totals: dict | None = None) -> pd.Series:
    """Which cells must be hidden: a boolean Series aligned with `cells` (which needs a column `n`).

    Primary: every cell with n < minimum. Complementary: where the cells of a group (same value in column
    `group`) add up to a total that is shown (`totals[value]`), a single hidden cell could be worked back out
    from the total and the shown cells, so the next-smallest shown cell of the group is hidden too. A group
    whose total itself is under the minimum is hidden whole."""
    hidden = cells["n"] < minimum
    if group is None:
        return hidden
    for key, members in cells.groupby(group, sort=False).groups.items():
        total = (totals or {}).get(key)
        if total is None:
            continue
        if total < minimum:
            hidden[members] = True
        elif hidden[members].sum() == 1:
            shown = cells.loc[members][~hidden[members]]
            if len(shown):
                hidden[shown["n"].idxmin()] = True
    return hidden
