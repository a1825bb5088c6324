"""The statistics of results.stats against values worked out by hand (and, where scipy has the same test, against
scipy on the raw values): t intervals for means, Wilson intervals for shares, never a zero-width interval, Welch's
t test, the test of two shares and Holm's correction."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sp

from survey.results.stats import Z95, Change, Estimate, change, holm, wilson

SCALE = (1.0, 5.0)


def estimate_of(values: list[float], bounds=SCALE) -> Estimate:
    """An estimate from raw per-respondent values, through the sums the database gives."""
    return Estimate.from_sums(len(values), sum(values), sum(v * v for v in values), bounds)


def test_a_mean_of_five_has_a_t_interval():
    values = [2.0, 3.0, 3.0, 4.0, 5.0]
    # mean 17/5 = 3.4; s² = (63 − 5 × 3.4²) / 4 = 1.3; se = √(1.3/5) = 0.50990; t(0.975; 4) = 2.77645
    found = estimate_of(values)
    half = 2.7764451 * math.sqrt(1.3 / 5)
    assert (found.mean, found.low, found.high) == pytest.approx((3.4, 3.4 - half, 3.4 + half))
    assert (found.low, found.high) == pytest.approx(sp.t.interval(0.95, 4, loc=3.4, scale=sp.sem(values)))
    # the normal interval would be 1.95996 / 2.77645 of this: 29 % shorter, i.e. this one is 42 % wider
    assert (found.high - found.low) / (2 * Z95 * found.se) == pytest.approx(1.4166, abs=1e-4)


@pytest.mark.parametrize(
    "count, n, low, high",
    [
        # p = 0.6, z² = 3.84146: centre (0.6 + 0.38415) / 1.76829 = 0.55655, half 1.10839 × √0.086415 = 0.32583
        (3, 5, 0.230724, 0.882379),
        # none of 10: from 0 to z² / (n + z²) = 3.84146 / 13.84146
        (0, 10, 0.0, 0.277533),
        # all of 10: from n / (n + z²) = 10 / 13.84146 to 1
        (10, 10, 0.722467, 1.0),
    ],
)
def test_a_share_has_a_wilson_interval(count, n, low, high):
    assert wilson(count, n) == pytest.approx((low, high), abs=1e-6)
    found = Estimate.from_count(n, count)
    assert (found.mean, found.low, found.high) == pytest.approx((count / n, low, high), abs=1e-6)
    assert found.high - found.low > 0.1


def test_a_group_where_everyone_gave_the_same_answer_has_a_real_interval():
    # 12 respondents all at 4: no spread, so a t interval would be 4–4. At least the Wilson lower bound of the
    # respondents, L = 12 / (12 + 3.84146) = 0.757506, are at 4; the rest could be anywhere on 1–5:
    # L × 4 + (1 − L) × 1 = 3.27252 and L × 4 + (1 − L) × 5 = 4.24249
    found = estimate_of([4.0] * 12)
    assert (found.mean, found.low, found.high) == pytest.approx((4.0, 3.27252, 4.24249), abs=1e-5)
    index = found.scaled(100 / 4, offset=-1)
    assert index.high - index.low == pytest.approx((4.24249 - 3.27252) * 25, abs=1e-3)


@pytest.mark.parametrize("n", [1, 2, 5, 9, 10, 30, 500])
@pytest.mark.parametrize("value", [1.0, 2.5, 3.0, 5.0])
def test_no_interval_has_zero_width(n, value):
    same = estimate_of([value] * n)
    assert same.high - same.low > 0.01
    assert same.low <= value <= same.high
    for count in (0, n):
        share = Estimate.from_count(n, count)
        assert share.high - share.low > 0.005


def test_intervals_have_width_on_random_data():
    rng = np.random.default_rng(3)
    for _ in range(200):
        values = list(rng.integers(1, 6, size=int(rng.integers(2, 40))).astype(float))
        found = estimate_of(values)
        assert found.high - found.low > 0
        assert SCALE[0] <= found.low <= found.mean <= found.high <= SCALE[1]


def test_the_change_of_a_mean_is_welchs_t_test():
    before = [1.0, 2.0, 3.0, 4.0, 5.0]  # mean 3, s² 2.5, se² = 0.5
    now = [3.0, 4.0, 5.0, 4.0, 4.0, 5.0, 3.0, 4.0, 4.0, 4.0]  # mean 4, s² 4/9, se² = 0.04444
    # t = 1 / √0.54444 = 1.35526; df = 0.54444² / (0.5² / 4 + 0.04444² / 9) = 0.29642 / 0.06272 = 4.7259
    result = change(estimate_of(now), estimate_of(before))
    assert result.difference == pytest.approx(1.0)
    assert result.p == pytest.approx(2 * sp.t.sf(1.35526, 4.7259), abs=1e-4)
    assert result.p == pytest.approx(sp.ttest_ind(now, before, equal_var=False).pvalue)
    assert result.p == pytest.approx(0.2365, abs=1e-3)
    assert not result.clear


def test_the_change_of_a_share_is_the_test_of_two_shares():
    # 30 of 50 against 20 of 50: pooled 0.5, se = √(0.25 × (1/50 + 1/50)) = 0.1, z = 0.2 / 0.1 = 2.0,
    # p = 2 × (1 − Φ(2)) = 0.0455003
    result = change(Estimate.from_count(50, 30), Estimate.from_count(50, 20))
    assert result.difference == pytest.approx(0.2)
    assert result.p == pytest.approx(0.0455003, abs=1e-6)
    assert result.clear


def test_no_spread_in_either_round_cannot_be_tested():
    result = change(estimate_of([5.0] * 10), estimate_of([4.0] * 10))
    assert result.p is None and not result.clear
    assert change(Estimate.from_count(10, 10), Estimate.from_count(12, 12)).p is None


@pytest.mark.parametrize(
    "ps, adjusted",
    [
        # sorted 0.01, 0.03, 0.04 → 3 × 0.01 = 0.03, 2 × 0.03 = 0.06, max(0.06, 1 × 0.04) = 0.06
        ([0.01, 0.04, 0.03, None], [0.03, 0.06, 0.06, None]),
        # each clear alone, none after correcting over three
        ([0.02, 0.03, 0.04], [0.06, 0.06, 0.06]),
        ([0.5, 0.6], [1.0, 1.0]),
        ([0.001], [0.001]),
    ],
)
def test_holm_adjusts_over_all_the_tests(ps, adjusted):
    changes = [None if p is None else Change(0.1, p) for p in ps]
    found = holm(changes + [None])
    assert found[-1] is None
    assert [c and c.adjusted for c in found[:-1]] == pytest.approx(adjusted)
    tested = [c for c in found if c is not None]
    assert all(c.tests == len(tested) for c in tested)
    assert [c.clear for c in tested] == [a < 0.05 for a in adjusted if a is not None]
