"""Every hidden figure says truthfully why it is hidden, in every output (page, CSV, XLSX, JSON, bilag HTML and PDF).

"færre end 5 svar" is said only of a cell with fewer than 5 respondents. A group all alike under 10 and a figure
hidden so that another cannot be worked out by subtraction both say "skjult for at beskytte svarpersonerne": one
label for the two, because a label of its own would tell that every member of the group gave the same answer
(see survey/results/labels.py).

The data. Round A: "Unge" has 3 respondents (fewer than 5). Round B: "Unge" has 7 who all answered 4 (all alike);
"Job" has 97 who scored: 7 under 30 who all answered 5 (all alike), 40 aged 30 or more, 50 who left the age question
unanswered, and one more aged 30 or more who answered only "Ved ikke". The 7 under 30 are hidden, so the smallest
other group, the 40, is hidden too (97 − 50 would tell the 7). In the answer distribution of Job's A? in round B
(14, 14, 15, 22, 32 and 1 "Ved ikke" of 98), the 1 is hidden, so the smallest other count, 14, is hidden too.
Each round has a respondent who answered about no area's items, so no focus areas add up to a round's total."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from survey.results.measures import NOT_ANSWERED
from survey.results.suppression import ALIKE, FEW, LINKED
from tests.pages import text_of
from tests.results.small_set import DK, ROUND_A_JOB
from tests.results.test_outputs import read_csv, read_json, read_xlsx

FEW_TEXT = "færre end 5 svar"
PROTECTED = "skjult for at beskytte svarpersonerne"


def _people(age: str | None, counts: dict[str, int]) -> list[dict]:
    """Respondents who gave the same score to every item, `counts[score]` of each."""
    base = {"alder": age} if age else {}
    return [
        base | {"tilfreds-a": score, "tilfreds-b": score, "klar-a": score, "klar-b": score}
        for score, count in counts.items()
        for _ in range(count)
    ]


DONT_KNOW_ONLY = {"tilfreds-a": DK, "tilfreds-b": DK, "klar-a": DK, "klar-b": DK, "alder": "aeldre"}
ALIKE_YOUNG = _people("ung", {"5": 7})
OLDER = _people("aeldre", {"1": 6, "2": 6, "3": 6, "4": 10, "5": 12})
NO_AGE = _people(None, {"1": 8, "2": 8, "3": 9, "4": 12, "5": 13})


@pytest.fixture
def labelled(mini_rounds):
    mini_rounds(
        {
            "Runde A": [("job", p) for p in ROUND_A_JOB + [DONT_KNOW_ONLY]]
            + [("ung", {"tilfreds-a": s, "klar-a": s}) for s in "354"],
            "Runde B": [("job", p) for p in ALIKE_YOUNG + OLDER + NO_AGE + [DONT_KNOW_ONLY]]
            + [("ung", p) for p in _people(None, {"4": 7})],
        }
    )


def test_the_report_knows_why_each_cell_is_hidden(labelled, in_app):
    from survey.kernel.extensions import db
    from survey.policies.models import Policy
    from survey.results.report import policy_report, policy_rounds

    with in_app():
        policy = db.session.scalar(db.select(Policy).where(Policy.slug == "mini"))
        report = policy_report(policy, policy_rounds(policy))
        rows = {(row.focus_area.title, row.round_.label): row for row in report.rows}
        assert rows[("Unge", "Runde A")].hidden == {"satisfaction": FEW, "transparency": FEW}
        assert rows[("Unge", "Runde B")].hidden == {"satisfaction": ALIKE, "transparency": ALIKE}
        assert rows[("Job", "Runde B")].hidden == {} and rows[("Job", "Runde B")].satisfaction.n == 97
        round_b = report.rounds[1].id
        job = next(area.id for area in policy.focus_areas if area.title == "Job")
        age = report.breakdowns[0]
        assert age.hidden[("satisfaction", round_b, job, "ung")] == ALIKE
        assert age.hidden[("satisfaction", round_b, job, "aeldre")] == LINKED
        assert age.shown[("satisfaction", round_b, job, NOT_ANSWERED)].n == 50


@pytest.mark.parametrize("read", [read_csv, read_xlsx, read_json], ids=["csv", "xlsx", "json"])
def test_the_files_flag_each_hidden_figure_with_its_reason(client, login_as, labelled, read):
    login_as(client, "analyst")
    overview = {(r["Fokusområde"], r["Runde"]): r for r in read(client, 1)}
    assert overview[("2. Unge", "Runde A")]["Skjult"] == FEW_TEXT, "3 respondents"
    assert overview[("2. Unge", "Runde B")]["Skjult"] == PROTECTED, "7, all alike: not 'færre end 5'"
    assert overview[("1. Job", "Runde B")]["Skjult"] is None
    ages = {(r["Runde"], r["Svar"], r["Måler"]): r for r in read(client, 3) if r["Fokusområde"] == "1. Job"}
    for measure in ("Tilfredshed", "Gennemsigtighed"):
        assert ages[("Runde B", "Under 30", measure)]["Skjult"] == PROTECTED, "7 all alike"
        assert ages[("Runde B", "30 eller ældre", measure)]["Skjult"] == PROTECTED, "40, protecting the 7"
        assert ages[("Runde B", "30 eller ældre", measure)]["Svarpersoner"] is None
        assert ages[("Runde B", "Ikke besvaret", measure)]["Svarpersoner"] == 50


def test_the_pages_say_why_each_figure_is_hidden(client, login_as, labelled):
    login_as(client, "analyst")
    overview = client.get("/personale/resultater/?politik=mini")
    young = overview.doc.findall(".//main//table")[1]
    rows = {text_of(tr.find("th")): text_of(tr) for tr in young.iter("tr") if tr.find("th[@scope='row']") is not None}
    assert FEW_TEXT in rows["Runde A"] and PROTECTED not in rows["Runde A"]
    assert PROTECTED in rows["Runde B"] and FEW_TEXT not in rows["Runde B"]
    assert "alle svarede ens" not in text_of(overview.doc.find(".//main")).lower(), "no label tells who is alike"

    area = client.get("/personale/resultater/omraade/1?politik=mini")
    rows = [text_of(tr) for tr in area.doc.iter("tr") if tr.find("th[@scope='row']") is not None]
    for group in ("Under 30 Runde B", "30 eller ældre Runde B"):
        found = [row for row in rows if row.startswith(group)]
        assert len(found) == 2, "a table for satisfaction and one for transparency"
        assert all(PROTECTED in row and FEW_TEXT not in row for row in found), found
    distribution = next(row for row in rows if row.startswith("A? ") and "32 (33 %)" in row)
    assert PROTECTED in distribution and FEW_TEXT in distribution, "14 protects the 1 'Ved ikke'"
    main = re.sub(r"\s+", " ", text_of(area.doc.find(".//main")))
    assert "Meget utilfreds: skjult for at beskytte svarpersonerne" in main, "the chart's text alternative"
    assert "Ved ikke / ikke relevant: færre end 5 svar" in main


def test_the_bilag_says_why_each_figure_is_hidden_in_html_and_pdf(client, login_as, labelled):
    login_as(client, "analyst")
    html = client.get("/personale/resultater/bilag?politik=mini")
    assert html.status_code == 200
    pdf = client.get("/personale/resultater/bilag.pdf?politik=mini")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages]
    areas = html.doc.findall(".//main/section[@class='area']")
    young = text_of(areas[1])
    assert "Resultatet for runden vises ikke: skjult for at beskytte svarpersonerne." in young, "round B: 7 alike"
    table = {text_of(tr.find("th")): text_of(tr) for tr in areas[1].iter("tr") if tr.find("th") is not None}
    assert FEW_TEXT in table["Runde A"] and PROTECTED in table["Runde B"] and FEW_TEXT not in table["Runde B"]
    appendix = html.doc.find(".//main/section[@class='area appendix']")
    answers = next(text_of(tr) for tr in appendix.iter("tr") if text_of(tr).startswith("A? "))
    assert PROTECTED in answers and FEW_TEXT in answers and "32 (33 %)" in answers, "14 protects the 1 'Ved ikke'"
    for text in (text_of(html.doc.find(".//main")), " ".join(pages)):
        flat = re.sub(r"\s+", " ", text)
        assert "vises ikke: skjult for at beskytte svarpersonerne" in flat
        assert "hvor alle har svaret ens" in flat, "the legend explains both reasons behind the one label"
        assert "alle svarede ens" not in flat.lower()


def test_the_model_gives_each_hidden_cell_its_reason():
    from survey.results.suppression import Published

    model = Published()
    model.cell("area", 50)
    model.cell("few", 3)
    model.cell("alike", 7, uniform=True)
    model.cell("large", 40)
    model.relation("area", ["few", "alike", "large"])
    assert model.reasons(5) == {"few": FEW, "alike": ALIKE}, "two hidden: nothing to work out"
    model = Published()
    model.cell("area", 47)
    model.cell("alike", 7, uniform=True)
    model.cell("large", 40)
    model.relation("area", ["alike", "large"])
    assert model.reasons(5) == {"alike": ALIKE, "large": LINKED}
    assert model.hidden(5) == {"alike", "large"}, "hidden() is the reasons' keys"
    assert Published(sizes={}).reasons(5) == {}
