"""The staff results page: the measures per focus area and round, small groups hidden."""

from __future__ import annotations

from tests.pages import text_of
from tests.results.small_set import ROUND_A_JOB, ROUND_A_YOUNG, ROUND_B_JOB


def test_results_table_shows_the_measures_and_hides_small_groups(client, login_as, mini_rounds):
    mini_rounds(
        {
            "Runde A": [("job", p) for p in ROUND_A_JOB] + [("ung", p) for p in ROUND_A_YOUNG],
            "Runde B": [("job", p) for p in ROUND_B_JOB * 2],  # 10 all alike: shown from 10
        }
    )
    page = login_as(client, "analyst").get("/personale/resultater/?politik=mini")
    assert page.status_code == 200
    job, young = page.doc.findall(".//main//table")[:2]
    rows = {text_of(tr.find("th")): text_of(tr) for tr in job.iter("tr") if tr.find("th[@scope='row']") is not None}
    # Runde A: "ung" has 4 respondents and is hidden; "job" (5) is hidden too, or 4 = 9 responses − 5 (each of the
    # 9 answered about exactly one of the two): not "færre end 5 svar", which would be untrue of 5
    assert "skjult for at beskytte svarpersonerne" in rows["Runde A"] and "3,60" not in rows["Runde A"]
    assert "færre end 5 svar" not in rows["Runde A"]
    assert "5,00" in rows["Runde B"] and "100" in rows["Runde B"], "Danish decimal comma"
    assert "færre end 5 svar" in text_of(young) and "4,00" not in text_of(young)


def test_results_need_the_analyst_or_admin_role(client, login_as):
    assert login_as(client, "meeting_host").get("/personale/resultater/").status_code == 403
