"""Small, explicit statistics on aggregated sums: means, 95 % confidence intervals, change between rounds.

Everything starts from per-respondent values summed in SQL (n, Σx, Σx²), so no answer is loaded into Python.
The respondent is the unit: items of one person are averaged first, then people are averaged."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A mean over respondents with its 95 % confidence interval (normal approximation)."""

    n: int
    mean: float
    low: float
    high: float
    se: float

    @classmethod
    def from_sums(cls, n: int, total: float, total_sq: float, bounds: tuple[float, float]) -> Estimate | None:
        """From n, Σx and Σx² of per-respondent values; the interval is clipped to the scale's `bounds`."""
        if n <= 0:
            return None
        mean = total / n
        variance = max(total_sq / n - mean * mean, 0.0) * n / (n - 1) if n > 1 else 0.0
        se = math.sqrt(variance / n)
        return cls(n, mean, max(bounds[0], mean - Z95 * se), min(bounds[1], mean + Z95 * se), se)

    def scaled(self, factor: float, offset: float = 0.0) -> Estimate:
        """The same estimate on another scale, e.g. 1–5 → 0–100."""
        return Estimate(
            self.n,
            (self.mean + offset) * factor,
            (self.low + offset) * factor,
            (self.high + offset) * factor,
            self.se * abs(factor),
        )


@dataclass(frozen=True)
class Change:
    """The difference to the previous round and whether it is larger than chance (two-sided, 5 %)."""

    difference: float
    z: float

    @property
    def clear(self) -> bool:
        return abs(self.z) >= Z95


def change(now: Estimate | None, before: Estimate | None) -> Change | None:
    """Welch-type z test of two independent means; None when either round has no estimate."""
    if now is None or before is None:
        return None
    se = math.sqrt(now.se**2 + before.se**2)
    difference = now.mean - before.mean
    z = difference / se if se > 0 else (math.inf if difference else 0.0)
    return Change(difference, z)
