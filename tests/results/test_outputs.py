"""Every output of the results — the pages, CSV, XLSX, JSON, the committee's report as HTML and PDF — hides the
same cells: groups under the minimum (primary) and the cells that would let them be worked out (complementary).

The data: round A has 5 respondents for "Job" and 4 for "Unge" of 9 in all, so "Unge" is hidden and "Job" too
(4 = 9 − 5). Round B has 15 for "Job": 7 under 30, 5 aged 30 or more, 3 who left the age question unanswered, so
in the age breakdown the 3 are hidden and the 5 as well (5 = 15 − 7 − 3 would tell the 3). No group is all alike
(that would hide it below 10, see test_suppression)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.pages import text_of
from tests.results.small_set import ROUND_A_JOB, ROUND_A_YOUNG

HIDDEN = "færre end 5 svar"
#: what a cell hidden so that another cannot be worked out says (and a group all alike: see test_hidden_labels)
PROTECTED = "skjult for at beskytte svarpersonerne"
YOUNG = {"tilfreds-a": "5", "tilfreds-b": "5", "klar-a": "5", "klar-b": "5", "alder": "ung"}
OLDER = {"tilfreds-a": "4", "tilfreds-b": "3", "klar-a": "4", "klar-b": "4", "alder": "aeldre"}
NO_AGE = {"tilfreds-a": "2", "tilfreds-b": "1", "klar-a": "2", "klar-b": "2"}
ROUND_B_JOB = (
    [YOUNG] * 6
    + [YOUNG | {"tilfreds-b": "2", "klar-a": "3", "klar-b": "3"}]
    + [OLDER | {"klar-a": "5", "klar-b": "5"}] * 2
    + [OLDER, OLDER | {"klar-a": "3", "klar-b": "3"}]
    + [OLDER | {"tilfreds-a": "5", "tilfreds-b": "5", "klar-a": "5", "klar-b": "5"}]
    + [NO_AGE] * 3
)
# person means in round B: 5 (×6), 3.5, 3.5 (×4), 5, 1.5 (×3) → (30 + 3.5 + 14 + 5 + 4.5) / 15 = 3.8; under 30:
# 33.5 / 7 (6 of 7 satisfied); 30 or older: 19 / 5 = 3.8 (1 of 5 satisfied). Transparency: under 30 5 (×6), 3;
# 30 or older 5 (×3), 4, 3; unanswered 2 (×3) → 61 / 15. Every group has someone on each side of 4 (none all alike)


@pytest.fixture
def results(mini_rounds):
    mini_rounds(
        {
            "Runde A": [("job", p) for p in ROUND_A_JOB] + [("ung", p) for p in ROUND_A_YOUNG],
            "Runde B": [("job", p) for p in ROUND_B_JOB],
        }
    )


def _number(text: str):
    """CSV cells back to numbers: '3,8' → 3.8, '15' → 15."""
    if text == "":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+,\d+", text):
        return float(text.replace(",", "."))
    return text


def read_csv(client, number: int) -> list[dict]:
    response = client.get(f"/personale/resultater/eksport-{number}.csv?politik=mini")
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"], "one type, one charset"
    reader = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";")
    return [{key: _number(value) for key, value in row.items()} for row in reader]


def read_xlsx(client, number: int) -> list[dict]:
    response = client.get("/personale/resultater/eksport.xlsx?politik=mini")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[number]  # sheet 0 says what the numbers are
    header, *rows = list(sheet.values)
    return [dict(zip(header, row, strict=True)) for row in rows]


def read_json(client, number: int) -> list[dict]:
    response = client.get("/personale/resultater/eksport.json?politik=mini")
    assert response.status_code == 200
    return json.loads(response.data)["sheets"][number - 1]["rows"]


@pytest.mark.parametrize("read", [read_csv, read_xlsx, read_json], ids=["csv", "xlsx", "json"])
def test_files_hide_small_groups_and_what_would_give_them_away(client, login_as, results, read):
    login_as(client, "analyst")
    overview = {(r["Fokusområde"], r["Runde"]): r for r in read(client, 1)}
    for hidden, why in [(("1. Job", "Runde A"), PROTECTED), (("2. Unge", "Runde A"), HIDDEN)]:
        row = overview[hidden]
        assert row["Skjult"] == why, "the flag says why; the number columns stay empty"
        figures = [v for k, v in row.items() if k not in ("Fokusområde", "Runde", "Skjult")]
        assert len(figures) == 22 and set(figures) == {None}
    shown = overview[("1. Job", "Runde B")]
    assert shown["Skjult"] is None
    assert shown["n, tilfredshed"] == 15 and shown["Tilfredshed (1–5)"] == pytest.approx(3.8)
    assert shown["n, gennemsigtighed"] == 15
    # transparency: 61 / 15 → (61 / 15 − 1) / 4 × 100 = 76.67, shown as 77
    # (CSV and JSON with the screen's decimals; XLSX unrounded, in a format that shows 77)
    transparency = shown["Gennemsigtighed (0–100)"]
    assert transparency == (pytest.approx(76.6667, abs=1e-3) if read is read_xlsx else 77)

    questions = {(r["Fokusområde"], r["Runde"], r["Spørgsmål"]): r for r in read(client, 2)}
    assert questions[("1. Job", "Runde A", "A?")]["Skjult"] == PROTECTED, "5 respondents, hidden with their area"
    assert questions[("1. Job", "Runde A", "A?")]["Svarpersoner"] is None
    assert questions[("1. Job", "Runde A", "A?")]["Gennemsnit (1–5)"] is None
    assert questions[("1. Job", "Runde B", "B?")]["Svarpersoner"] == 15

    ages = {(r["Runde"], r["Svar"], r["Måler"]): r for r in read(client, 3) if r["Fokusområde"] == "1. Job"}
    assert ages[("Runde B", "Under 30", "Tilfredshed")]["Svarpersoner"] == 7
    assert ages[("Runde B", "Under 30", "Tilfredshed")]["Gennemsnit (1–5)"] == pytest.approx(33.5 / 7, abs=0.005)
    for group, why in (("30 eller ældre", PROTECTED), ("Ikke besvaret", HIDDEN)):  # 3 is too few; 5 would tell the 3
        row = ages[("Runde B", group, "Tilfredshed")]
        assert row["Skjult"] == why and row["Svarpersoner"] is None and row["Gennemsnit (1–5)"] is None
    assert not [key for key in ages if key[0] == "Runde A"], "a hidden focus area has no breakdown"


def test_the_pages_hide_the_same_cells(client, login_as, results):
    login_as(client, "analyst")
    overview = client.get("/personale/resultater/?politik=mini")
    job = text_of(overview.doc.findall(".//main//table")[0])
    assert PROTECTED in job and "3,60" not in job and "3,80" in job

    area = client.get("/personale/resultater/omraade/1?politik=mini")
    assert area.status_code == 200
    rows = [text_of(tr) for tr in area.doc.iter("tr") if tr.find("th[@scope='row']") is not None]
    young, older, unanswered = (
        [row for row in rows if row.startswith(group)] for group in ("Under 30", "30 eller ældre", "Ikke besvaret")
    )
    # transparency under 30: person means 5 (×6), 3 → index (33 / 7 − 1) / 4 × 100 = 92.9
    assert "4,79" in young[0] and "93" in young[1], "tables for satisfaction, then transparency"
    for hidden in older:
        assert PROTECTED in hidden and HIDDEN not in hidden, "5 respondents, hidden so that the 3 stay hidden"
    for hidden in unanswered:
        assert HIDDEN in hidden
    main = text_of(area.doc.find(".//main"))
    assert "3,70" not in main and "1,50" not in main


def test_the_committee_report_hides_the_same_cells_in_html_and_pdf(client, login_as, results):
    login_as(client, "analyst")
    html = client.get("/personale/resultater/bilag?politik=mini")
    assert html.status_code == 200
    pdf = client.get("/personale/resultater/bilag.pdf?politik=mini")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages]
    # a front page, one page per focus area of the policy (Job, Unge, Fællesskab), the answer distributions, the method
    assert len(pages) == 6 and "Runde A" in pages[0]
    assert pages[4].startswith("Svarfordelinger") and pages[5].startswith("Metode")
    for text in (text_of(html.doc.find(".//main")), " ".join(pages)):
        flat = re.sub(r"\s+", " ", text)
        assert "3,80" in flat, "round B of Job is shown"
        assert "3,60" not in flat and "4,00" not in flat, "round A's hidden figures stay hidden"
        assert HIDDEN in flat
    assert "Flere i job" in pages[1] and "Færre sygemeldte" in pages[1], "the focus area's goals"


def test_the_workbook_says_what_the_numbers_are_and_keeps_numbers_as_numbers(client, login_as, results):
    login_as(client, "analyst")
    workbook = load_workbook(io.BytesIO(client.get("/personale/resultater/eksport.xlsx?politik=mini").data))
    assert workbook.sheetnames == ["Om tallene", "Fokusområder", "Spørgsmål", "Efter alder"]
    about = {row[0]: row[1] for row in workbook["Om tallene"].values if row and row[0]}
    assert about["Politik"] == "Testrup Kommune: Lille socialpolitik"
    assert "Runde A" in about["Runder og svar"] and "15 svar" in about["Runder og svar"]
    assert "færre end 5" in about["Små grupper"].lower() and "(gennemsnit − 1) / 4 × 100" in about["Gennemsigtighed"]
    sheet = workbook["Fokusområder"]
    header = [cell.value for cell in sheet[1]]
    shown = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "Runde B")
    satisfaction = shown[header.index("Tilfredshed (1–5)")]
    assert satisfaction.data_type == "n" and satisfaction.number_format == "0.00"
    assert shown[header.index("n, tilfredshed")].data_type == "n"
    assert shown[header.index("n, gennemsigtighed")].data_type == "n"


def test_every_download_is_logged_with_who_and_what(client, login_as, results, in_app):
    from sqlalchemy import select

    from survey.kernel.extensions import db
    from survey.staff.models import AuditEvent

    login_as(client, "analyst")
    for path in ("eksport.xlsx", "eksport-1.csv", "eksport.json", "bilag.pdf"):
        assert client.get(f"/personale/resultater/{path}?politik=mini").status_code == 200
    with in_app():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        ).all()
        assert [(e.actor_email, e.target, e.detail["format"]) for e in events] == [
            ("analyst@kommune.test", "policy:mini", fmt) for fmt in ("xlsx", "csv", "json", "pdf")
        ]
    admin = login_as(client, "admin").get("/personale/log?handling=export")
    assert "policy:mini" in text_of(admin.doc.find(".//main"))


def test_an_unknown_policy_or_sheet_is_404(client, login_as, results):
    login_as(client, "analyst")
    assert client.get("/personale/resultater/?politik=findes-ikke").status_code == 404
    assert client.get("/personale/resultater/eksport-9.csv?politik=mini").status_code == 404
    assert client.get("/personale/resultater/omraade/9?politik=mini").status_code == 404


def _job(satisfaction: str, transparency: str) -> list[dict]:
    return [{"tilfreds-a": s, "klar-a": t, "klar-b": t} for s, t in zip(satisfaction, transparency, strict=True)]


def test_the_change_in_transparency_is_in_index_points(client, login_as, mini_rounds):
    # Job in both rounds with 5 of 15 respondents, satisfaction 4, 4, 4, 4, 3 both times (no change: p = 1 for the
    # mean and for the share satisfied, 4 of 5); transparency means 1, 1, 2, 2, 4 (index 25), then 3, 4, 4, 5, 5
    # (index 80): Welch's t = 2.2 / √(1.5/5 + 0.7/5) = 3.317, df 7.07, p = 0.01265; Holm over the report's three
    # testable changes: 3 × 0.01265 = 0.0380. Unge: 10 who all answered alike (shown from 10), no spread to test.
    young = [("ung", {"tilfreds-a": "4", "klar-a": "3", "klar-b": "3"})] * 10
    mini_rounds(
        {
            "Runde A": [("job", p) for p in _job("44443", "11224")] + young,
            "Runde B": [("job", p) for p in _job("44443", "34455")] + young,
        }
    )
    login_as(client, "analyst")
    rows = {(r["Fokusområde"], r["Runde"]): r for r in read_xlsx(client, 1)}
    assert rows[("1. Job", "Runde B")]["Ændring i gennemsigtighed"] == pytest.approx(55.0)
    assert rows[("1. Job", "Runde B")]["Gennemsigtighed: tydelig ændring?"] == "tydelig ændring"
    assert rows[("1. Job", "Runde B")]["Gennemsigtighed: p-værdi (Holm)"] == pytest.approx(0.0380, abs=1e-4)
    assert rows[("1. Job", "Runde B")]["Ændring i tilfredshed"] == pytest.approx(0.0)
    assert rows[("1. Job", "Runde B")]["Tilfredshed: tydelig ændring?"] == "ingen tydelig ændring"
    page = text_of(client.get("/personale/resultater/?politik=mini").doc.findall(".//main//table")[0])
    assert "+55,0 point, tydelig ændring" in re.sub(r"\s+", " ", page)


def test_the_answer_distributions_show_counts_and_shares_under_the_same_suppression(client, login_as, results):
    # round B, question A?: 5 (×8), 4 (×4), 2 (×3) of 15 answers: the 4 and the 3 are hidden (and the options nobody
    # chose)
    login_as(client, "analyst")
    area = client.get("/personale/resultater/omraade/1?politik=mini")
    tables = [t for t in area.doc.iter("table") if "distribution-table" in t.get("class", "")]
    rows = {text_of(tr.find("th")): [text_of(td) for td in tr.findall("td")] for t in tables for tr in t.iter("tr")}
    # Meget utilfreds, Utilfreds, Hverken-eller, Tilfreds, Meget tilfreds, Ved ikke, in all
    assert rows["A?"] == [HIDDEN, HIDDEN, HIDDEN, HIDDEN, "8 (53 %)", HIDDEN, "15"]
    chart = area.doc.find(".//main//figure[@class='results-chart distribution-chart']/*")
    description = text_of(chart.find("{http://www.w3.org/2000/svg}desc"))
    assert "Meget tilfreds 8 (53 %)" in description and "Tilfreds 4" not in description
    assert "i alt: 7" in description, "the hidden options together: no more than 15 − 8 tells"
    bilag = re.sub(r"\s+", " ", text_of(client.get("/personale/resultater/bilag?politik=mini").doc.find(".//main")))
    assert "8 (53 %)" in bilag and "3 (20 %)" not in bilag and "4 (27 %)" not in bilag


def test_the_bilag_lists_the_items_and_states_the_method(client, login_as, results):
    login_as(client, "analyst")
    page = client.get("/personale/resultater/bilag?politik=mini")
    text = re.sub(r"\s+", " ", text_of(page.doc.find(".//main")))
    # the measures questionnaire's items, read from it: two satisfaction and two transparency items per area
    assert "Tilfredshed: 2 spørgsmål A?B?" in text and "Gennemsigtighed: 2 spørgsmål C?D?" in text
    assert "Holms metode" in text and "Wilsons interval" in text and "Students t-interval" in text
    assert "åbent link" in text and "selvudvalgt" in text
    assert "n = 15" in text, "each key figure with its own n"


# the decimals each measure has on the screen: 2 on the 1–5 scale, whole numbers for the index and for shares
SCREEN_DECIMALS = {
    "Svarpersoner": r"\d+",
    "n, tilfredshed": r"\d+",
    "n, gennemsigtighed": r"\d+",
    "Tilfredshed (1–5)": r"\d,\d\d",
    "Andel tilfredse (%)": r"\d+",
    "Gennemsigtighed (0–100)": r"\d+",
    "Ændring i tilfredshed": r"-?\d,\d\d",
    "Gennemsnit (1–5)": r"\d,\d\d",
    "Indeks (0–100)": r"\d+",
    "Andel tilfredse eller enige (%)": r"\d+",
}


def test_csv_numbers_have_the_screen_decimals_and_hidden_cells_are_empty(client, login_as, results):
    login_as(client, "analyst")
    for number in (1, 2, 3):
        response = client.get(f"/personale/resultater/eksport-{number}.csv?politik=mini")
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
        flags = {row["Skjult"] for row in rows}
        assert "" in flags and flags - {""} and flags <= {"", HIDDEN, PROTECTED}, "some rows shown, some flagged"
        for row in rows:
            for header, pattern in SCREEN_DECIMALS.items():
                if header in row and row[header] != "":
                    assert re.fullmatch(pattern, row[header]), (number, header, row[header])
            if row["Skjult"] in (HIDDEN, PROTECTED):
                assert row.get("Svarpersoner", row.get("n, tilfredshed")) == "", "no text in a number column"
