"""The fuzz tests together plan at least MIN_TOTAL examples (each test also checks that its own examples ran,
and the package checks the total that ran: see conftest.py)."""

from tests.fuzz.conftest import MIN_TOTAL, planned


def test_the_fuzz_tests_plan_at_least_the_minimum():
    plan = planned()
    assert len(plan) >= 8, "a fuzz test lost its EXAMPLES entry"
    assert sum(plan.values()) >= MIN_TOTAL, f"{sum(plan.values())} planned examples; at least {MIN_TOTAL} required"
