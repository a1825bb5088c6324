"""The staff results page: the measures per focus area and round, small groups hidden."""

from __future__ import annotations

from survey.extensions import db
from survey.models import utcnow
from survey.policies.services import load_policy
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.rounds import create_round
from tests.helpers import TESTDATA
from tests.pages import text_of
from tests.results.test_measures import ROUND_A_JOB, ROUND_A_YOUNG, ROUND_B_JOB, answer


def test_results_table_shows_the_measures_and_hides_small_groups(client, login_as, in_app):
    with in_app():
        load_policy(TESTDATA / "policies/mini.yaml")
        questionnaire, _ = load_questionnaire(TESTDATA / "questionnaires/measures.yaml")
        now = utcnow()
        round_a = create_round(questionnaire, "Runde A", now, now.replace(year=now.year + 1), slug="a")
        round_b = create_round(
            questionnaire, "Runde B", now.replace(second=1), now.replace(year=now.year + 1), slug="b"
        )
        people = [(round_a, "job", p) for p in ROUND_A_JOB] + [(round_a, "ung", p) for p in ROUND_A_YOUNG]
        people += [(round_b, "job", p) for p in ROUND_B_JOB]
        db.session.add_all(answer(questionnaire, r, routing, items) for r, routing, items in people)
        db.session.commit()

    page = login_as(client, "analyst").get("/personale/resultater/?politik=mini")
    assert page.status_code == 200
    job, young = page.doc.findall(".//main//table")[:2]
    rows = {text_of(tr.find("th")): text_of(tr) for tr in job.iter("tr") if tr.find("th[@scope='row']") is not None}
    # Runde A: "ung" has 4 respondents and is hidden; "job" (5) is hidden too, or 4 = 9 responses − 5
    assert "færre end 5 svar" in rows["Runde A"] and "3,60" not in rows["Runde A"]
    assert "5,00" in rows["Runde B"] and "100" in rows["Runde B"], "Danish decimal comma"
    assert "færre end 5 svar" in text_of(young) and "4,00" not in text_of(young)


def test_results_need_the_analyst_or_admin_role(client, login_as):
    assert login_as(client, "meeting_host").get("/personale/resultater/").status_code == 403
