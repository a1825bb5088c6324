"""The measures against values computed by hand on a small fixed data set."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.policies.models import FocusArea
from survey.results.measures import NOT_ANSWERED, cells, question_cells
from survey.results.stats import Estimate, change
from survey.results.sums import rebuild_sums
from survey.results.suppression import Published
from tests.factories import make_round
from tests.results.small_set import MEASURES, MINI, ROUND_A_JOB, ROUND_A_YOUNG, ROUND_B_JOB, answer

DIMS = ("satisfaction", "transparency")


@pytest.fixture
def data(app_ctx):
    now = utcnow()
    window = {"opens": now, "closes": now.replace(year=now.year + 1)}
    round_a = make_round(policy=MINI, questionnaire=MEASURES, label="A", slug="runde-a", **window)
    round_b = make_round(policy=MINI, questionnaire=MEASURES, label="B", slug="runde-b", **window)
    questionnaire = round_a.questionnaire
    people = [(round_a, "job", p) for p in ROUND_A_JOB] + [(round_a, "ung", p) for p in ROUND_A_YOUNG]
    people += [(round_b, "job", p) for p in ROUND_B_JOB]
    db.session.add_all(answer(questionnaire, r, routing, items) for r, routing, items in people)
    db.session.flush()
    rebuild_sums(db.session.connection(), [round_a.id, round_b.id])  # written past submit: summed here
    areas = {a.code: a.id for a in db.session.scalars(select(FocusArea))}
    return round_a.id, round_b.id, areas


def by_cell(found):
    return {(c.round_id, c.focus_area_id): c for c in found}


def test_satisfaction_mean_share_and_interval_match_hand_computation(data):
    round_a, _round_b, areas = data
    cell = by_cell(cells("satisfaction", [round_a]))[(round_a, areas["1"])]
    assert cell.n == 5 and cell.dont_know == 1
    # mean 18/5; sample variance of (4.5, 3, 4, 1.5, 5) = 1.925; se = sqrt(1.925/5); t(0.975; 4) = 2.7764
    se = math.sqrt(1.925 / 5)
    assert cell.mean.mean == pytest.approx(3.6)
    assert cell.mean.low == pytest.approx(3.6 - 2.7764451 * se)
    assert cell.mean.high == 5.0  # 3.6 + 2.7764 × 0.6205 = 5.32, clipped to the scale
    # own means 4.5, 3, 4, 1.5, 5: three of five are 4 or more; Wilson's interval of 3/5 (worked out in test_stats)
    assert cell.share_satisfied.mean == pytest.approx(0.6)
    assert (cell.share_satisfied.low, cell.share_satisfied.high) == pytest.approx((0.230724, 0.882379), abs=1e-6)


def test_breakdown_by_question_uses_each_questions_own_answers(data):
    round_a, _round_b, areas = data
    found = {c.group: c for c in question_cells("satisfaction", [round_a]) if c.focus_area_id == areas["1"]}
    # tilfreds-a: 5, 3, 4, 2, 5 → n 5, mean 3.8, three of five answered 4 or 5
    assert (found["tilfreds-a"].n, found["tilfreds-a"].dont_know) == (5, 0)
    assert found["tilfreds-a"].mean.mean == pytest.approx(3.8)
    assert found["tilfreds-a"].share_satisfied.mean == pytest.approx(0.6)
    # tilfreds-b: 4, "Ved ikke", skipped, 1, 5 → n 3, mean 10/3, one "Ved ikke"
    assert (found["tilfreds-b"].n, found["tilfreds-b"].dont_know) == (3, 1)
    assert found["tilfreds-b"].mean.mean == pytest.approx(10 / 3)
    assert found["tilfreds-b"].share_satisfied.mean == pytest.approx(2 / 3)


def test_breakdown_by_background_splits_respondents_and_keeps_the_unanswered(data):
    round_a, _round_b, areas = data
    found = {c.group: c for c in cells("satisfaction", [round_a], background="alder") if c.focus_area_id == areas["1"]}
    # person means 4.5, 3, 4 ("ung"), 1.5 ("aeldre"), 5 (no age): the groups add up to the focus area's 5
    assert {group: cell.n for group, cell in found.items()} == {"ung": 3, "aeldre": 1, NOT_ANSWERED: 1}
    assert found["ung"].mean.mean == pytest.approx(11.5 / 3)
    assert found["aeldre"].mean.mean == pytest.approx(1.5)
    assert found[NOT_ANSWERED].mean.mean == pytest.approx(5.0)
    assert found["ung"].dont_know == 1


def test_transparency_index_is_the_mean_mapped_to_0_100(data):
    round_a, _round_b, areas = data
    cell = by_cell(cells("transparency", [round_a]))[(round_a, areas["1"])]
    # person means 5, 3, 1, 3, 4 → 3.2 → (3.2 − 1) / 4 × 100 = 55
    assert cell.n == 5
    assert cell.index.mean == pytest.approx(55.0)
    assert cell.index.low < 55 < cell.index.high


def test_a_focus_area_with_four_respondents_is_suppressed_and_five_is_shown(data):
    round_a, _round_b, areas = data
    found = by_cell(cells("satisfaction", [round_a]))
    model = Published()
    for (_round, area), cell in found.items():
        model.cell(area, cell.n)
    assert found[(round_a, areas["2"])].n == 4
    hidden = model.hidden(5)
    assert {area: area in hidden for _round, area in found} == {areas["1"]: False, areas["2"]: True}


def test_change_since_the_previous_round_is_flagged_when_larger_than_chance(data):
    round_a, round_b, areas = data
    found = by_cell(cells("satisfaction", [round_a, round_b]))
    before, now = found[(round_a, areas["1"])], found[(round_b, areas["1"])]
    result = change(now.mean, before.mean)
    assert result.difference == pytest.approx(1.4)
    # round B has no spread (all 5), so Welch's t = 1.4 / √(1.925/5) = 2.2563 with df = 4: p = 0.0870 — five
    # people against five is not enough, where the old z test (p = 0.024) called it clear
    assert result.p == pytest.approx(0.08703, abs=1e-4)
    assert not result.clear


def test_a_small_change_is_not_flagged():
    a = Estimate.from_sums(20, 20 * 3.0, 20 * 9.0 + 19 * 1.0, (1, 5))  # mean 3, sd 1
    b = Estimate.from_sums(20, 20 * 3.2, 20 * 3.2**2 + 19 * 1.0, (1, 5))
    assert not change(b, a).clear


@pytest.mark.parametrize("configured, used", [(3, 5), (5, 5), (10, 10)])
def test_the_minimum_group_is_configurable_but_never_below_5(app, configured, used):
    from survey.results.suppression import minimum_group

    with app.app_context():
        app.config["RESULTS_MIN_GROUP"], before = configured, app.config["RESULTS_MIN_GROUP"]
        try:
            assert minimum_group() == used
        finally:
            app.config["RESULTS_MIN_GROUP"] = before


def test_the_reports_changes_are_holm_corrected_together(data):
    from survey.policies.models import Policy
    from survey.questionnaire.models import Round
    from survey.results.report import _overview, change_tests

    round_a, round_b, areas = data
    policy = db.session.scalar(select(Policy).where(Policy.slug == "mini"))
    rounds = [db.session.get(Round, round_a), db.session.get(Round, round_b)]
    # Job's cells as they are (round A's would be hidden against the round total; the correction is what is tested)
    both = [round_a, round_b]
    shown = {d: {k: c for k, c in by_cell(cells(d, both)).items() if k[1] == areas["1"]} for d in DIMS}
    rows = _overview(policy, rounds, shown)
    job = next(row for row in rows if row.focus_area.id == areas["1"] and row.round_.id == round_b)
    # three tests in the report, all for Job from A to B (B: everyone answered 5):
    # transparency, Welch: t = 1.8 / √(2.2/5) = 2.7136, df 4, p = 0.05334 → × 3 = 0.16001
    # satisfaction, Welch: p = 0.08704 → × 2 = 0.17407
    # share satisfied 3/5 → 5/5: pooled 0.8, z = 0.4 / √(0.8 × 0.2 × 0.4) = 1.5811, p = 0.11385 → × 1, but never
    # below the one before: 0.17407
    assert change_tests(rows) == 3
    assert job.transparency_change.p == pytest.approx(0.05334, abs=1e-5)
    assert job.transparency_change.adjusted == pytest.approx(0.16001, abs=1e-5)
    assert job.satisfaction_change.adjusted == pytest.approx(0.17407, abs=1e-5)
    assert job.share_change.p == pytest.approx(0.11385, abs=1e-5)
    assert job.share_change.adjusted == pytest.approx(0.17407, abs=1e-5)
    assert not any(c.clear for c in (job.transparency_change, job.satisfaction_change, job.share_change))
