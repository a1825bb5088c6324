""" "Andel tilfredse" is the share of respondents who are satisfied (their own mean over the focus area's scored
items is 4 or more), recomputed here with pandas from the raw answer rows; the distributions and the items the
bilag lists come from the answers and the questionnaire too."""

from __future__ import annotations

import pandas as pd
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from survey.kernel.clock import utcnow
from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.questionnaire.models import Answer, Question, Response, Round
from survey.results.measures import cells
from survey.results.models import ResultSum
from survey.results.sums import rebuild_sums
from tests.factories import make_round
from tests.results.small_set import MEASURES, MINI, ROUND_A_JOB, ROUND_A_YOUNG, ROUND_B_JOB, answer

#: the head this definition's migration follows
BEFORE = "4e27985a7d10"


def raw_shares(dimension: str, round_ids: list[int]) -> dict[tuple[int, int], tuple[int, float]]:
    """(round, area) → (n, share satisfied) from the answer rows: each respondent's mean over the scored items,
    then the share of respondents whose mean is at least 4."""
    query = (
        select(Response.round_id, Answer.focus_area_id, Answer.response_id, Answer.score)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.dimension == dimension, Response.round_id.in_(round_ids), Answer.score.is_not(None))
    )
    rows = pd.DataFrame(db.session.execute(query).all(), columns=["round_id", "area", "response", "score"])
    rows = rows.dropna(subset=["area"])
    person = rows.groupby(["round_id", "area", "response"])["score"].mean().reset_index()
    person["satisfied"] = person["score"] >= 4
    cell = person.groupby(["round_id", "area"])["satisfied"].agg(["count", "mean"])
    return {(int(r), int(a)): (int(row["count"]), float(row["mean"])) for (r, a), row in cell.iterrows()}


def assert_shares_match_the_answers(round_ids: list[int]) -> int:
    compared = 0
    for dimension in ("satisfaction", "transparency"):
        expected = raw_shares(dimension, round_ids)
        found = {(c.round_id, c.focus_area_id): c for c in cells(dimension, round_ids)}
        assert set(found) == set(expected)
        for key, (n, share) in expected.items():
            assert found[key].n == n
            assert found[key].share_satisfied.mean == pytest.approx(share, abs=1e-12)
            compared += 1
    return compared


def load_small_set() -> list[int]:
    """The small set with two more people, summed; returns the round ids (flushed, not committed)."""
    now = utcnow()
    window = {"opens": now, "closes": now.replace(year=now.year + 1)}
    round_a = make_round(policy=MINI, questionnaire=MEASURES, label="A", slug="runde-a", **window)
    round_b = make_round(policy=MINI, questionnaire=MEASURES, label="B", slug="runde-b", **window)
    questionnaire = round_a.questionnaire
    # two more people in area 1 whose own means are 4 and 3.5: satisfied, and not (whose share of 4–5 answers,
    # 1/2, was what the old definition averaged)
    more = [{"tilfreds-a": "3", "tilfreds-b": "5"}, {"tilfreds-a": "3", "tilfreds-b": "4"}]
    people = [(round_a, "job", p) for p in ROUND_A_JOB + more] + [(round_a, "ung", p) for p in ROUND_A_YOUNG]
    people += [(round_b, "job", p) for p in ROUND_B_JOB]
    db.session.add_all(answer(questionnaire, r, routing, items) for r, routing, items in people)
    db.session.flush()
    rebuild_sums(db.session.connection(), [round_a.id, round_b.id])
    return [round_a.id, round_b.id]


@pytest.fixture
def small_set(app_ctx):
    return load_small_set()


def test_the_share_is_of_respondents_whose_own_mean_is_at_least_4(small_set):
    round_a = small_set[0]
    job = next(c for c in cells("satisfaction", [round_a]) if c.n == 7)
    # own means 4.5, 3, 4, 1.5, 5, 4, 3.5: four of seven are satisfied; the mean of the respondents' shares of
    # 4–5 answers would be (1 + 0 + 1 + 0 + 1 + 0.5 + 0.5) / 7 = 4/7 too, but not by the same people:
    # the one at 3 + 5 counts, the one at 3 + 4 does not
    assert job.share_satisfied.mean == pytest.approx(4 / 7)
    assert assert_shares_match_the_answers(small_set) == 6


def test_the_share_matches_the_answers_on_synthetic_responses(make_round, runner, in_app):
    slug = make_round()
    result = runner.invoke(args=["demo", "generate-responses", "--round", slug, "--n", "400", "--seed", "5"])
    assert result.exit_code == 0, result.output
    with in_app():
        round_id = db.session.scalar(select(Round.id).where(Round.slug == slug))
        assert assert_shares_match_the_answers([round_id]) >= 8
        # and differs from the old definition somewhere, or the test would not tell them apart
        query = (
            select(Answer.response_id, Answer.focus_area_id, Answer.score)
            .join(Question)
            .join(Response)
            .where(Response.round_id == round_id, Question.dimension == "satisfaction", Answer.score.is_not(None))
        )
        rows = pd.DataFrame(db.session.execute(query).all(), columns=["response", "area", "score"])
        person = rows.groupby(["area", "response"])["score"].agg(mean="mean", share=lambda s: (s >= 4).mean())
        old = person.groupby("area")["share"].mean()
        new = (person["mean"] >= 4).groupby("area").mean()
        assert (old - new).abs().max() > 0.01


def test_upgrading_rebuilds_sums_kept_under_the_old_definition(in_app):
    migrations = str(ROOT / "migrations")
    with in_app():
        round_ids = load_small_set()
        db.session.commit()
        downgrade(directory=migrations, revision=BEFORE)
        # what the old definition kept: each respondent's share of 4–5 answers, never a count
        db.session.execute(update(ResultSum).values(sat_sum=ResultSum.sat_sum + 0.5))
        db.session.commit()
        upgrade(directory=migrations)
    with in_app():
        assert assert_shares_match_the_answers(round_ids) == 6
