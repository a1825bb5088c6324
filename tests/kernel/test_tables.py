"""The one writer of CSV and XLSX files (survey.kernel.tables): numbers with the decimals shown on screen in CSV,
unrounded in XLSX under a number format that shows those decimals, and citizens' text that starts like a formula
kept as text — with Excel's quote prefix in XLSX, with a leading apostrophe in CSV (which has no cell styles)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from survey.kernel.tables import Column, Sheet, csv_bytes, xlsx_bytes

COLUMNS = [
    Column("Navn", "Tekst, som borgeren skrev den"),
    Column("Gennemsnit", "1–5", "0.00"),
    Column("Indeks", "0–100", "0"),
    Column("Antal", "Et helt tal"),
]
ROWS = [
    ['=HYPERLINK("http://x")', 4.0, 76.666666, 15],
    ["@SUM(A1)", 3.994, 99.5, 7],
    ["Åse", None, None, None],
]


def csv_rows(sheet: Sheet) -> list[list[str]]:
    text = csv_bytes(sheet).decode("utf-8-sig")
    return [line.split(";") for line in text.strip().split("\r\n")]


def test_csv_writes_the_decimals_of_the_screen(app_ctx):
    _header, first, second, empty = csv_rows(Sheet("Ark", COLUMNS, ROWS))
    assert first[1:] == ["4,00", "77", "15"], "4,00 beside 3,99, never 4,0; the index as a whole number"
    assert second[1:] == ["3,99", "100", "7"]
    assert empty[1:] == ["", "", ""], "nothing, not text, in a number column"


def test_csv_keeps_formula_like_text_as_text_with_an_apostrophe(app_ctx):
    _header, first, second, _empty = csv_rows(Sheet("Ark", COLUMNS, ROWS))
    assert first[0] == '"\'=HYPERLINK(""http://x"")"' and second[0] == "'@SUM(A1)"


def test_xlsx_keeps_numbers_unrounded_in_the_screen_format(app_ctx):
    workbook = load_workbook(io.BytesIO(xlsx_bytes("Om filen", [], [Sheet("Ark", COLUMNS, ROWS)])))
    sheet = workbook["Ark"]
    mean, index, count = sheet["B2"], sheet["C2"], sheet["D2"]
    assert mean.value == 4.0 and mean.number_format == "0.00"
    assert index.value == pytest.approx(76.666666) and index.number_format == "0"
    assert count.value == 15 and count.data_type == "n"


@pytest.mark.parametrize("cell, text", [("A2", '=HYPERLINK("http://x")'), ("A3", "@SUM(A1)")])
def test_xlsx_marks_formula_like_text_with_the_quote_prefix(app_ctx, cell, text):
    sheet = load_workbook(io.BytesIO(xlsx_bytes("Om filen", [], [Sheet("Ark", COLUMNS, ROWS)])))["Ark"]
    assert sheet[cell].value == text, "the citizen's text as written, no apostrophe added"
    assert sheet[cell].data_type == "s" and sheet[cell].quotePrefix is True
    assert sheet["A4"].quotePrefix is False, "ordinary text is left alone"
