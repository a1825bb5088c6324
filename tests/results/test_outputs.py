"""Every output of the results — the pages, CSV, XLSX, JSON, the committee's report as HTML and PDF — hides the
same cells: groups under the minimum (primary) and the cells that would let them be worked out (complementary).

The data: round A has 5 respondents for "Job" and 4 for "Unge" of 9 in all, so "Unge" is hidden and "Job" too
(4 = 9 − 5). Round B has 15 for "Job": 7 under 30, 5 aged 30 or more, 3 who left the age question unanswered, so
in the age breakdown the 3 are hidden and the 5 as well (5 = 15 − 7 − 3 would tell the 3)."""

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
YOUNG = {"tilfreds-a": "5", "tilfreds-b": "5", "klar-a": "5", "klar-b": "5", "alder": "ung"}
OLDER = {"tilfreds-a": "4", "tilfreds-b": "3", "klar-a": "4", "klar-b": "4", "alder": "aeldre"}
NO_AGE = {"tilfreds-a": "2", "tilfreds-b": "1", "klar-a": "2", "klar-b": "2"}
ROUND_B_JOB = [YOUNG] * 7 + [OLDER] * 5 + [NO_AGE] * 3
# person means in round B: 5 (×7), 3.5 (×5), 1.5 (×3) → (35 + 17.5 + 4.5) / 15 = 3.8


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
    for hidden in [("1. Job", "Runde A"), ("2. Unge", "Runde A")]:
        row = overview[hidden]
        assert row["Skjult"] == HIDDEN, "the flag says why; the number columns stay empty"
        figures = [v for k, v in row.items() if k not in ("Fokusområde", "Runde", "Skjult")]
        assert len(figures) == 16 and set(figures) == {None}
    shown = overview[("1. Job", "Runde B")]
    assert shown["Skjult"] is None
    assert shown["Svarpersoner"] == 15 and shown["Tilfredshed (1–5)"] == pytest.approx(3.8)
    # transparency person means 5 (×7), 4 (×5), 2 (×3) → 61 / 15 → (61 / 15 − 1) / 4 × 100 = 76.67, shown as 77
    # (CSV and JSON with the screen's decimals; XLSX unrounded, in a format that shows 77)
    transparency = shown["Gennemsigtighed (0–100)"]
    assert transparency == (pytest.approx(76.6667, abs=1e-3) if read is read_xlsx else 77)

    questions = {(r["Fokusområde"], r["Runde"], r["Spørgsmål"]): r for r in read(client, 2)}
    assert questions[("1. Job", "Runde A", "A?")]["Skjult"] == HIDDEN
    assert questions[("1. Job", "Runde A", "A?")]["Svarpersoner"] is None
    assert questions[("1. Job", "Runde A", "A?")]["Gennemsnit (1–5)"] is None
    assert questions[("1. Job", "Runde B", "B?")]["Svarpersoner"] == 15

    ages = {(r["Runde"], r["Svar"], r["Måler"]): r for r in read(client, 3) if r["Fokusområde"] == "1. Job"}
    assert ages[("Runde B", "Under 30", "Tilfredshed")]["Svarpersoner"] == 7
    assert ages[("Runde B", "Under 30", "Tilfredshed")]["Gennemsnit (1–5)"] == pytest.approx(5.0)
    for group in ("30 eller ældre", "Ikke besvaret"):  # 3 is too few; 5 would give the 3 away
        row = ages[("Runde B", group, "Tilfredshed")]
        assert row["Skjult"] == HIDDEN and row["Svarpersoner"] is None and row["Gennemsnit (1–5)"] is None
    assert not [key for key in ages if key[0] == "Runde A"], "a hidden focus area has no breakdown"


def test_the_pages_hide_the_same_cells(client, login_as, results):
    login_as(client, "analyst")
    overview = client.get("/personale/resultater/?politik=mini")
    job = text_of(overview.doc.findall(".//main//table")[0])
    assert HIDDEN in job and "3,60" not in job and "3,80" in job

    area = client.get("/personale/resultater/omraade/1?politik=mini")
    assert area.status_code == 200
    rows = [text_of(tr) for tr in area.doc.iter("tr") if tr.find("th[@scope='row']") is not None]
    young, older, unanswered = (
        [row for row in rows if row.startswith(group)] for group in ("Under 30", "30 eller ældre", "Ikke besvaret")
    )
    assert "5,00" in young[0] and "100" in young[1], "tables for satisfaction, then transparency"
    for hidden in older + unanswered:
        assert HIDDEN in hidden
    main = text_of(area.doc.find(".//main"))
    assert "3,50" not in main and "1,50" not in main


def test_the_committee_report_hides_the_same_cells_in_html_and_pdf(client, login_as, results):
    login_as(client, "analyst")
    html = client.get("/personale/resultater/bilag?politik=mini")
    assert html.status_code == 200
    pdf = client.get("/personale/resultater/bilag.pdf?politik=mini")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages]
    # a front page, then one page per focus area of the policy (Job, Unge, Fællesskab)
    assert len(pages) == 4 and "Runde A" in pages[0]
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
    assert shown[header.index("Svarpersoner")].data_type == "n"


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


def test_the_change_in_transparency_is_in_index_points(client, login_as, mini_rounds):
    # Job in both rounds with 5 of 10 respondents: transparency 3 (index 50), then 5 (index 100)
    same = {"tilfreds-a": "4", "klar-a": "3", "klar-b": "3"}
    mini_rounds(
        {
            "Runde A": [("job", same)] * 5 + [("ung", same)] * 5,
            "Runde B": [("job", same | {"klar-a": "5", "klar-b": "5"})] * 5 + [("ung", same)] * 5,
        }
    )
    login_as(client, "analyst")
    rows = {(r["Fokusområde"], r["Runde"]): r for r in read_xlsx(client, 1)}
    assert rows[("1. Job", "Runde B")]["Ændring i gennemsigtighed"] == pytest.approx(50.0)
    assert rows[("1. Job", "Runde B")]["Gennemsigtighed: tydelig ændring?"] == "tydelig ændring"
    assert rows[("1. Job", "Runde B")]["Ændring i tilfredshed"] == pytest.approx(0.0)
    page = text_of(client.get("/personale/resultater/?politik=mini").doc.findall(".//main//table")[0])
    assert "tydelig ændring (+50,0)" in page


# the decimals each measure has on the screen: 2 on the 1–5 scale, whole numbers for the index and for shares
SCREEN_DECIMALS = {
    "Svarpersoner": r"\d+",
    "Tilfredshed (1–5)": r"\d,\d\d",
    "Andel tilfredse (%)": r"\d+",
    "Gennemsigtighed (0–100)": r"\d+",
    "Ændring i tilfredshed": r"-?\d,\d\d",
    "Gennemsnit (1–5)": r"\d,\d\d",
    "Indeks (0–100)": r"\d+",
    "Andel 4 eller 5 (%)": r"\d+",
}


def test_csv_numbers_have_the_screen_decimals_and_hidden_cells_are_empty(client, login_as, results):
    login_as(client, "analyst")
    for number in (1, 2, 3):
        response = client.get(f"/personale/resultater/eksport-{number}.csv?politik=mini")
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
        assert rows and {row["Skjult"] for row in rows} == {"", HIDDEN}, "some rows shown, some hidden, flagged"
        for row in rows:
            for header, pattern in SCREEN_DECIMALS.items():
                if header in row and row[header] != "":
                    assert re.fullmatch(pattern, row[header]), (number, header, row[header])
            if row["Skjult"] == HIDDEN:
                assert row["Svarpersoner"] == "", "no text in a number column"
