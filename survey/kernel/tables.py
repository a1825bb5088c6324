"""Tables as files staff open in Excel: CSV for Danish Excel (UTF-8 with BOM, ';') and XLSX with a first sheet
that says what the file is and what every column means. One writer for every export in the app."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask import Response
from flask_babel import gettext as _

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
#: a cell starting with one of these is a formula to Excel; citizens' text must never run as one
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    explanation: str
    #: an Excel number format for numbers, e.g. "0.00" or "0": the decimals shown on screen. XLSX keeps the value
    #: unrounded and shows it in this format; CSV and JSON write it rounded to these decimals
    number_format: str | None = None

    @property
    def decimals(self) -> int | None:
        """How many decimals the number format shows ("0.00" → 2, "0" → 0); None without a format."""
        if self.number_format is None:
            return None
        _whole, _point, fraction = self.number_format.partition(".")
        return sum(1 for c in fraction if c == "0")

    def rounded(self, value):
        """A float rounded to the decimals shown; anything else as it is."""
        if isinstance(value, float) and self.decimals is not None:
            return round(value, self.decimals)
        return value


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)


def attachment(content: bytes, mimetype: str, filename: str) -> Response:
    """A file to save, never kept in a cache (exports hold personal data or unpublished results)."""
    # content_type, not mimetype: Flask adds "; charset=utf-8" to a text/* mimetype, and CSV_TYPE already has it
    response = Response(content, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def sheet_name(title: str) -> str:
    """A title Excel accepts as a sheet name: at most 31 characters, none of []:*?/\\."""
    return "".join(" " if c in "[]:*?/\\" else c for c in title).strip()[:31]


def safe_text(value):
    """Text as text in CSV, which has no way to mark a cell as text: a leading apostrophe keeps Excel from reading
    it as a formula (XLSX stores the text unchanged and marks the cell instead; see _write_sheet)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(sheet: Sheet) -> bytes:
    """One sheet as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_value(v, column) for v, column in zip(row, sheet.columns, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value, column: Column) -> str:
    """Dates as 'YYYY-MM-DD HH:MM'; decimals with a comma, as Danish Excel reads them (the ';' is why), and as many
    as the column shows on screen ('4,00' beside '3,99', never '4,0')."""
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        text = repr(value) if column.decimals is None else f"{value:.{column.decimals}f}"
        return text.replace(".", ",")
    return safe_text(value)


def xlsx_bytes(about_title: str, facts: list[tuple[str, str]], sheets: list[Sheet]) -> bytes:
    """A workbook: first `about_title` with the facts and every sheet's column explanations, then the sheets.
    Numbers stay numbers; text that looks like a formula stays text."""
    # here, not at the top: openpyxl (with numpy) is a large import that only an XLSX download needs
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    about = workbook.active
    about.title = sheet_name(about_title)
    about.append([about_title])
    about["A1"].font = Font(bold=True, size=14)
    for fact in facts:
        about.append(list(fact))
    for sheet in sheets:
        about.append([])
        about.append([_("Kolonner i arket »%(sheet)s«", sheet=sheet.title)])
        about.cell(about.max_row, 1).font = Font(bold=True)
        for column in sheet.columns:
            about.append([column.header, column.explanation])
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 100
    for row in about.iter_rows(min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(sheet_name(sheet.title)), sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(target, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font

    target.append([column.header for column in sheet.columns])
    for cell in target[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in sheet.rows:
        target.append(row)
        for cell, column in zip(target[target.max_row], sheet.columns, strict=False):
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                # text as the citizen wrote it, marked the way Excel marks text typed with a leading apostrophe
                # (quotePrefix), so that editing the cell does not turn it into a formula
                cell.data_type = "s"  # openpyxl would otherwise store a leading '=' as a formula
                cell.quotePrefix = True
            elif hasattr(cell.value, "strftime"):
                cell.number_format = "dd-mm-yyyy hh:mm"
            elif column.number_format and isinstance(cell.value, float):
                cell.number_format = column.number_format
    target.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        target.column_dimensions[target.cell(1, index).column_letter].width = max(12, min(len(column.header) + 4, 60))
