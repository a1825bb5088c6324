"""Rank correlation for the submit-order checks: Spearman's ρ, by hand (SciPy is not among the dependencies).

When a listing's order is independent of the submit order, the responses' ranks in it are a random permutation, and
ρ between them and any fixed values has mean 0 and variance 1/(n − 1) (true of Pearson's r for every fixed pair of
vectors when one is randomly permuted), with a distribution close to normal. So |ρ|·√(n − 1) ≥ 6 has a probability
of about 2·10⁻⁹ (normal approximation), while a listing in submit order gives ρ ≈ 1, over that bound from n = 38."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

#: standard deviations of ρ under a random order that a listing may reach before it counts as following submit order
SIGMAS = 6
#: a listing checked has at least this many units: below 38, even ρ = 1 stays within SIGMAS and proves nothing
LEAST_UNITS = 40


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


def follows(submit_numbers: Sequence[int], by_response: bool = True) -> tuple[int, float, float]:
    """(units, ρ, |ρ| in standard deviations under a random order) between a listing's order and the submit order,
    given the submit number of each listed row's response in listing order.

    The unit is the response: its rows need not be placed independently of each other (the answer table keeps a
    response's answers together), so each response counts once, at the mean position of its rows. With
    `by_response` false each row is a unit: for rows whose place is fixed by what they hold, not drawn."""
    if by_response:
        positions: dict[int, list[int]] = defaultdict(list)
        for position, number in enumerate(submit_numbers):
            positions[number].append(position)
        units = sorted(positions)
        rho = spearman(units, [sum(positions[number]) / len(positions[number]) for number in units])
    else:
        units = list(submit_numbers)
        rho = spearman(range(len(units)), units)
    return len(units), rho, abs(rho) * math.sqrt(len(units) - 1)
