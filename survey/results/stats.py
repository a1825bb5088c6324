"""Small, explicit statistics on aggregated sums: means and shares with 95 % confidence intervals, the change
between rounds, and the Holm correction over the change tests of one report.

Everything starts from per-respondent values summed in SQL (n, Σx, Σx², or the count of satisfied respondents), so
no answer is loaded into Python. The respondent is the unit: items of one person are averaged first, then people.

- A mean's interval is Student's t: mean ± t(0.975; n − 1) × s / √n (the normal 1.96 is 42 % too narrow at n = 5).
- A share's interval is Wilson's score interval, which stays inside 0–1 and never has zero width.
- When every respondent has the same value, s = 0 and a t interval would have no width, though n people can never
  make a mean certain. The interval is then the range the mean could take if only the Wilson lower bound of the
  share of respondents at that value were there and the rest sat at the scale's far end (`_no_spread`).
- A change of a mean is tested by Welch's t test, a change of a share by the two-sample test of proportions with
  the pooled share; both two-sided. One report's tests are corrected together by Holm's step-down method, and a
  change is "tydelig" when its Holm-adjusted p-value is below 5 %."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

Z95 = 1.959963984540054
ALPHA = 0.05


@dataclass(frozen=True)
class Estimate:
    """A mean or share over respondents with its 95 % confidence interval."""

    n: int
    mean: float
    low: float
    high: float
    se: float
    #: a share of respondents (0–1) rather than a mean of their values
    share: bool = False

    @classmethod
    def from_sums(cls, n: int, total: float, total_sq: float, bounds: tuple[float, float]) -> Estimate | None:
        """A mean from n, Σx and Σx² of per-respondent values: Student's t interval, clipped to the scale's
        `bounds`; where the values have no spread, the interval of `_no_spread`."""
        if n <= 0:
            return None
        mean = total / n
        variance = max(total_sq / n - mean * mean, 0.0) * n / (n - 1) if n > 1 else 0.0
        se = math.sqrt(variance / n)
        # Σx² − n·mean² loses digits to rounding: a spread this small relative to the mean is no spread
        if se <= 1e-9 * max(1.0, abs(mean)):
            low, high = _no_spread(n, mean, bounds)
            return cls(n, mean, low, high, 0.0)
        from scipy import stats as sp  # here: scipy is the heaviest import, and only results need it

        half = float(sp.t.ppf(0.975, n - 1)) * se
        return cls(n, mean, max(bounds[0], mean - half), min(bounds[1], mean + half), se)

    @classmethod
    def from_count(cls, n: int, count: float) -> Estimate | None:
        """A share: `count` of `n` respondents, with Wilson's score interval."""
        if n <= 0:
            return None
        share = count / n
        low, high = wilson(round(count), n)
        return cls(n, share, low, high, math.sqrt(share * (1 - share) / n), share=True)

    def scaled(self, factor: float, offset: float = 0.0) -> Estimate:
        """The same estimate on another scale, e.g. 1–5 → 0–100."""
        return replace(
            self,
            mean=(self.mean + offset) * factor,
            low=(self.low + offset) * factor,
            high=(self.high + offset) * factor,
            se=self.se * abs(factor),
        )


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for `count` of `n`."""
    p, z2 = count / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _no_spread(n: int, value: float, bounds: tuple[float, float]) -> tuple[float, float]:
    """The interval of a mean whose n respondents all have `value`: at least the Wilson lower bound L of the
    respondents are at `value` (n of n were), the rest anywhere on the scale, so the mean lies between
    L·value + (1 − L)·lowest and L·value + (1 − L)·highest."""
    least, _ = wilson(n, n)
    return least * value + (1 - least) * bounds[0], least * value + (1 - least) * bounds[1]


@dataclass(frozen=True)
class Change:
    """The difference to the previous round, its test's p-value and, once a report has corrected its tests
    together, the Holm-adjusted p-value and the number of tests it was corrected over."""

    difference: float
    #: two-sided p-value of the test alone; None when it cannot be tested (no spread in either round)
    p: float | None
    adjusted: float | None = None
    tests: int = 1

    @property
    def clear(self) -> bool:
        """A "tydelig ændring": the Holm-adjusted p-value (the test's own, before correcting) is below 5 %."""
        p = self.adjusted if self.adjusted is not None else self.p
        return p is not None and p < ALPHA


def change(now: Estimate | None, before: Estimate | None) -> Change | None:
    """The change of a mean (Welch's t test) or of a share (two-sample test of proportions, pooled share) since
    the round before; None when either round has no estimate."""
    if now is None or before is None:
        return None
    difference = now.mean - before.mean
    return Change(difference, _share_p(now, before) if now.share else _welch_p(now, before))


def _welch_p(now: Estimate, before: Estimate) -> float | None:
    """Welch's t test from the two means' standard errors, with the Welch–Satterthwaite degrees of freedom."""
    a, b = now.se**2, before.se**2
    if a + b == 0:
        return None
    terms = [v * v / (n - 1) for v, n in ((a, now.n), (b, before.n)) if v > 0]
    df = (a + b) ** 2 / sum(terms)
    t = (now.mean - before.mean) / math.sqrt(a + b)
    from scipy import stats as sp

    return float(2 * sp.t.sf(abs(t), df))


def _share_p(now: Estimate, before: Estimate) -> float | None:
    """z = (p₁ − p₀) / √(p(1 − p)(1/n₁ + 1/n₀)), p the pooled share of both rounds."""
    pooled = (now.mean * now.n + before.mean * before.n) / (now.n + before.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / now.n + 1 / before.n))
    if se == 0:
        return None  # every respondent of both rounds satisfied (or none): no change to test
    from scipy import stats as sp

    return float(2 * sp.norm.sf(abs(now.mean - before.mean) / se))


def holm(changes: list[Change | None]) -> list[Change | None]:
    """The changes with Holm-adjusted p-values over all of them that could be tested (m of them): the i-th
    smallest p is multiplied by m − i + 1, capped at 1 and never below the adjusted p before it."""
    tested = sorted((c.p, i) for i, c in enumerate(changes) if c is not None and c.p is not None)
    adjusted, running = list(changes), 0.0
    for rank, (p, i) in enumerate(tested):
        running = max(running, min(1.0, (len(tested) - rank) * p))
        adjusted[i] = replace(changes[i], adjusted=running, tests=len(tested))
    return adjusted
