"""Rank correlation for the submit-order checks: Spearman's ρ, by hand (SciPy is not among the dependencies).

Under a random order, ρ between n positions and any fixed values has mean 0 and variance 1/(n − 1) (true of
Pearson's r for every fixed pair of vectors when one is randomly permuted), and its distribution is close to normal.
So |ρ|·√(n − 1) ≥ 6 has a probability of about 2·10⁻⁹ under a random order (normal approximation), while a table
listed in submit order gives ρ ≈ 1, which is over that bound from n = 38 rows on."""

from __future__ import annotations

import math
from collections.abc import Sequence

#: standard deviations of ρ under a random order that a listing may reach before it counts as following submit order
SIGMAS = 6
#: a listing checked has at least this many rows: below 38, even ρ = 1 stays within SIGMAS and proves nothing
LEAST_ROWS = 40


def average_ranks(values: Sequence) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(x: Sequence, y: Sequence) -> float:
    """Spearman's rank correlation (Pearson's r of the average ranks); 0 when either side is all ties."""
    rx, ry = average_ranks(x), average_ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx, sy = math.sqrt(sum((a - mx) ** 2 for a in rx)), math.sqrt(sum((b - my) ** 2 for b in ry))
    return cov / (sx * sy) if sx and sy else 0.0


def follows(submit_order: Sequence[int]) -> tuple[float, float]:
    """(ρ, ρ in standard deviations under a random order) between the rows' positions in a listing and the submit
    order of the responses they belong to (given in listing order)."""
    rho = spearman(range(len(submit_order)), submit_order)
    return rho, abs(rho) * math.sqrt(len(submit_order) - 1)
