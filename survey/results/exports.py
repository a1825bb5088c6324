"""The results as sheets: one per view (focus areas, questions, each background breakdown), written as CSV,
XLSX or JSON from the same rows — so what is hidden on the screen is hidden in every file."""

from __future__ import annotations

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.kernel.clock import utcnow
from survey.kernel.tables import Column, Sheet
from survey.questionnaire.models import Round
from survey.results import methods
from survey.results.labels import hidden_label, hidden_legend, row_hidden_label
from survey.results.measures import Cell
from survey.results.report import Breakdown, Report, Row, change_tests, report_questions, respondents_per_round
from survey.results.stats import Change, Estimate
from survey.results.suppression import FEW, minimum_group

DIMENSION_LABELS = {"satisfaction": _l("Tilfredshed"), "transparency": _l("Gennemsigtighed")}


def hidden_column() -> Column:
    """The flag beside the numbers: what is hidden in the row, so that a number column holds only numbers."""
    return Column(
        _("Skjult"),
        _("Hvorfor tal i rækken ikke vises (tom, når de vises); se »Små grupper«"),
    )


# Numbers are written unrounded: XLSX shows them with the column's number format (the decimals on the screen),
# CSV and JSON round them to those decimals (survey.kernel.tables.Column.rounded).
def _estimate(value: Estimate | None, factor: float = 1.0) -> list:
    if value is None:
        return [None, None, None]
    return [v * factor for v in (value.mean, value.low, value.high)]


def _change(result: Change | None, factor: float = 1.0) -> list:
    """The difference (× factor, unrounded: the column's number format shows it), the flag and the Holm-adjusted
    p-value."""
    if result is None:
        return [None, None, None]
    flag = (
        _("kan ikke testes")
        if result.p is None
        else (_("tydelig ændring") if result.clear else _("ingen tydelig ændring"))
    )
    return [result.difference * factor, flag, result.adjusted]


def _change_columns(name: str, unit: str, number_format: str) -> list[Column]:
    """The difference, the flag and the Holm-adjusted p-value of a change (`name` in lower case, as mid-sentence)."""
    title = name[:1].upper() + name[1:]
    return [
        Column(_("Ændring i %(name)s", name=name), _("Forskel til forrige runde (%(unit)s)", unit=unit), number_format),
        Column(_("%(name)s: tydelig ændring?", name=title), _("Om Holm-korrigeret p-værdi er under 5 %")),
        Column(
            _("%(name)s: p-værdi (Holm)", name=title),
            _("p-værdi korrigeret med Holms metode over rapportens test"),
            "0.0000",
        ),
    ]


def _interval_columns(name: str, unit: str, number_format: str) -> list[Column]:
    return [
        Column(f"{name} ({unit})", _("Gennemsnit over svarpersonerne"), number_format),
        Column(_("%(name)s, nedre grænse", name=name), _("95 %-konfidensinterval, nedre grænse"), number_format),
        Column(_("%(name)s, øvre grænse", name=name), _("95 %-konfidensinterval, øvre grænse"), number_format),
    ]


def _cell_columns() -> list[Column]:
    """Columns for one cell of a breakdown or a question: n, mean, index, share 4–5, "Ved ikke"."""
    return [
        hidden_column(),
        Column(_("Svarpersoner"), _("Antal svarpersoner bag tallene (n)")),
        *_interval_columns(_("Gennemsnit"), "1–5", "0.00"),
        Column(_("Indeks (0–100)"), _("Gennemsnittet omregnet til 0–100: (gennemsnit − 1) / 4 × 100"), "0"),
        Column(
            _("Andel tilfredse eller enige (%)"),
            _("Andel af svarpersonerne, hvis eget gennemsnit (for et spørgsmål: svar) er 4 eller 5"),
            "0",
        ),
        Column(_("Ved ikke"), _("Antal svar »Ved ikke« (tæller ikke med i gennemsnittet)")),
    ]


def _cell_values(cell: Cell | None, reason: str | None, minimum: int) -> list:
    """The cell's figures, or the flag saying why they are hidden (`reason`: see results.labels) and empty numbers."""
    if cell is None:
        return [hidden_label(reason, minimum), None, None, None, None, None, None, None]
    return [
        None,
        cell.n,
        *_estimate(cell.mean),
        cell.index.mean,
        cell.share_satisfied.mean * 100,
        cell.dont_know,
    ]


def overview_sheet(report: Report) -> Sheet:
    minimum = report.minimum
    columns = [
        Column(_("Fokusområde"), _("Fokusområdets nummer og navn i politikken")),
        Column(_("Runde"), _("Undersøgelsesrunden")),
        hidden_column(),
        *_interval_columns(_("Tilfredshed"), "1–5", "0.00"),
        *_interval_columns(_("Andel tilfredse"), "%", "0"),
        Column(_("n, tilfredshed"), _("Svarpersoner bag tilfredshed og andel tilfredse (mindst ét tilfredshedssvar)")),
        Column(_("Ved ikke, tilfredshed"), _("Antal svar »Ved ikke« på tilfredshedsspørgsmålene")),
        *_change_columns(_("tilfredshed"), _("point på skalaen 1–5"), "0.00"),
        *_change_columns(_("andel tilfredse"), _("procentpoint"), "0"),
        *_interval_columns(_("Gennemsigtighed"), "0–100", "0"),
        Column(
            _("n, gennemsigtighed"), _("Svarpersoner bag gennemsigtighedsindekset (mindst ét gennemsigtighedssvar)")
        ),
        Column(_("Ved ikke, gennemsigtighed"), _("Antal svar »Ved ikke« på gennemsigtighedsspørgsmålene")),
        *_change_columns(_("gennemsigtighed"), _("indekspoint 0–100"), "0.0"),
    ]
    rows = []
    for row in report.rows:
        area = f"{row.focus_area.code}. {row.focus_area.title}"
        if row.respondents is None:
            rows.append([area, row.round_.label, row_hidden_label(row.hidden, minimum)] + [None] * (len(columns) - 3))
            continue
        satisfaction, transparency = row.satisfaction, row.transparency
        rows.append(
            [
                area,
                row.round_.label,
                _partly_hidden(row, minimum),
                *_estimate(satisfaction and satisfaction.mean),
                *_estimate(satisfaction and satisfaction.share_satisfied, 100),
                satisfaction.n if satisfaction else None,
                satisfaction.dont_know if satisfaction else None,
                *_change(row.satisfaction_change),
                *_change(row.share_change, 100),
                *_estimate(transparency and transparency.index),
                transparency.n if transparency else None,
                transparency.dont_know if transparency else None,
                *_change(row.transparency_change),
            ]
        )
    return Sheet(_("Fokusområder"), columns, rows)


def _partly_hidden(row: Row, minimum: int) -> str | None:
    """The flag of a shown row in which one measure is hidden: which, and why."""
    cells = {"satisfaction": row.satisfaction, "transparency": row.transparency}
    hidden = [
        f"{DIMENSION_LABELS[dimension]}: {hidden_label(row.hidden.get(dimension), minimum)}"
        for dimension, cell in cells.items()
        if cell is None
    ]
    return "; ".join(hidden) or None


def question_sheet(report: Report) -> Sheet:
    columns = [
        Column(_("Fokusområde"), _("Fokusområdets nummer og navn i politikken")),
        Column(_("Runde"), _("Undersøgelsesrunden")),
        Column(_("Spørgsmål"), _("Spørgsmålets tekst")),
        Column(_("Måler"), _("Tilfredshed eller gennemsigtighed")),
        *_cell_columns(),
    ]
    rows = []
    for area in report.policy.focus_areas:
        for question in report.questions_of(area):
            for round_ in report.rounds:
                key = (round_.id, area.id, question.key)
                cell, reason = report.question_shown.get(key), report.question_hidden.get(key)
                label = str(DIMENSION_LABELS[question.dimension])
                head = [f"{area.code}. {area.title}", round_.label, question.text, label]
                rows.append(head + _cell_values(cell, reason, report.minimum))
    return Sheet(_("Spørgsmål"), columns, rows)


def breakdown_title(breakdown: Breakdown) -> str:
    return _("Efter %(what)s", what=breakdown.title.lower())


def sheet_titles(rounds: list[Round]) -> list[str]:
    """The sheets' titles in order, without computing anything: for the list of downloads."""
    _questions, breakdowns = report_questions(rounds)
    return [_("Fokusområder"), _("Spørgsmål"), *(breakdown_title(b) for b in breakdowns)]


def breakdown_sheets(report: Report) -> list[Sheet]:
    sheets = []
    for breakdown in report.breakdowns:
        columns = [
            Column(_("Fokusområde"), _("Fokusområdets nummer og navn i politikken")),
            Column(_("Runde"), _("Undersøgelsesrunden")),
            Column(_("Svar"), _("Svaret på »%(question)s«", question=breakdown.text)),
            Column(_("Måler"), _("Tilfredshed eller gennemsigtighed")),
            *_cell_columns(),
        ]
        rows = []
        for area in report.policy.focus_areas:
            for dimension, dimension_label in DIMENSION_LABELS.items():
                # a round whose focus area is hidden has no groups: the overview says so
                for round_ in breakdown.rounds_shown(dimension, area, report.rounds):
                    for value, label in breakdown.groups.items():
                        head = [f"{area.code}. {area.title}", round_.label, label, str(dimension_label)]
                        key = (dimension, round_.id, area.id, value)
                        cell, reason = breakdown.shown.get(key), breakdown.hidden.get(key)
                        rows.append(head + _cell_values(cell, reason, report.minimum))
        sheets.append(Sheet(breakdown_title(breakdown), columns, rows))
    return sheets


def all_sheets(report: Report) -> list[Sheet]:
    return [overview_sheet(report), question_sheet(report), *breakdown_sheets(report)]


def round_totals(rounds: list[Round]) -> dict[int, int | None]:
    """Responses per round, None where a round has fewer than the minimum."""
    totals = respondents_per_round([r.id for r in rounds])
    minimum = minimum_group()
    return {r.id: totals.get(r.id, 0) if totals.get(r.id, 0) >= minimum else None for r in rounds}


def round_span(round_: Round) -> str:
    return _(
        "%(start)s–%(end)s",
        start=format_date(round_.opens_at, "d. MMM y"),
        end=format_date(round_.last_moment, "d. MMM y"),
    )


def facts(report: Report) -> list[tuple[str, str]]:
    """What the numbers are: the first sheet of the workbook and the front of the JSON."""
    totals = round_totals(report.rounds)
    rounds = "; ".join(
        _(
            "%(label)s (%(span)s): %(n)s svar",
            label=r.label,
            span=round_span(r),
            n=hidden_label(FEW, report.minimum) if totals[r.id] is None else totals[r.id],
        )
        for r in report.rounds
    )
    return [
        (_("Politik"), f"{report.policy.municipality}: {report.policy.title}"),
        (_("Runder og svar"), rounds),
        (_("Udtrukket"), format_datetime(utcnow(), "d. MMMM y 'kl.' HH.mm")),
        (_("Tilfredshed"), methods.satisfaction_text()),
        (_("Andel tilfredse"), methods.share_text()),
        (_("Gennemsigtighed"), methods.transparency_text()),
        (_("n"), methods.n_text()),
        (_("Usikkerhed"), methods.interval_text()),
        (_("Ændring"), methods.change_text(change_tests(report.rows))),
        (_("Hvem har svaret"), methods.routing_text()),
        (_("Små grupper"), hidden_legend(report.minimum)),
    ]


def as_json(report: Report) -> dict:
    """The same sheets as JSON: one object per row, keyed by the column headers."""
    return {
        "facts": dict(facts(report)),
        "sheets": [
            {
                "title": sheet.title,
                "rows": [
                    {c.header: c.rounded(value) for c, value in zip(sheet.columns, row, strict=True)}
                    for row in sheet.rows
                ],
            }
            for sheet in all_sheets(report)
        ],
    }
