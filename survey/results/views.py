"""Staff results pages (analysts and admins): the overview, a focus area in detail with its comments, the
downloads (CSV, XLSX, JSON) and the committee's report (HTML and PDF). Every download is logged."""

from __future__ import annotations

import json
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from survey.kernel import roles
from survey.kernel.converters import big_id, whole_number
from survey.kernel.extensions import db
from survey.kernel.i18n import decimal
from survey.kernel.tables import CSV_TYPE, XLSX_TYPE, attachment, csv_bytes, xlsx_bytes
from survey.policies.models import FocusArea, Policy
from survey.questionnaire import submit_rate
from survey.questionnaire.models import Answer
from survey.results import admin_bp, methods
from survey.results import exports as ex
from survey.results.alternatives import chart_alternative
from survey.results.charts import Point, Series, trend_chart
from survey.results.comments import PER_PAGE, AskedCounts, comment_groups, comments, comments_minimum
from survey.results.distributions import area_distributions, distributions
from survey.results.forms import CommentFilterForm, ResultsFilterForm
from survey.results.labels import hidden_label, hidden_legend, row_hidden_label
from survey.results.methods import collections, scored_items
from survey.results.models import Quote
from survey.results.quotes import NeedsRedaction, QuoteRefused, pick, report_quotes
from survey.results.release import progress, published
from survey.results.report import Report, Row, change_tests, policy_report, policy_rounds, policy_table
from survey.results.stacked import distribution_chart
from survey.results.stats import Estimate
from survey.results.suppression import minimum_group
from survey.staff.access import role_required
from survey.staff.audit import audit

ROLES = roles.RESULTS_READERS
PDF_TYPE = "application/pdf"

# what stands in place of a hidden figure, and the legend that explains it (templates/results/_macros.html)
admin_bp.add_app_template_global(hidden_label)
admin_bp.add_app_template_global(hidden_legend)
admin_bp.add_app_template_global(row_hidden_label)


def _wanted(rounds: list) -> list:
    """The rounds ticked (?runde=id), all if none: open ones too, for the filter and the progress counts."""
    wanted = set(request.args.getlist("runde", type=whole_number))
    return [r for r in rounds if r.id in wanted] or rounds


def _choice() -> tuple[list[Policy], Policy | None, list, list]:
    """The policies, the chosen policy (?politik=slug), its rounds and the chosen rounds whose results are
    published (?runde=id, all if none): every page, download and report takes its rounds from here."""
    policies = db.session.scalars(db.select(Policy).order_by(Policy.municipality)).all()
    wanted_policy = request.args.get("politik")
    chosen = next((p for p in policies if p.slug == wanted_policy), None)
    if wanted_policy and chosen is None:
        abort(404)
    chosen = chosen or (policies[0] if policies else None)
    rounds = policy_rounds(chosen) if chosen else []
    # the gate against differencing over time: an open round's figures move with each response (results.release)
    selected = published(_wanted(rounds))
    return policies, chosen, rounds, selected


def _chosen_policy() -> tuple[Policy, list, list]:
    _policies, policy, rounds, selected = _choice()
    if policy is None:
        abort(404)
    return policy, rounds, selected


def _query(policy: Policy, rounds: list, selected: list) -> dict:
    """The query arguments that show the same choice again (all rounds are the default, so left out)."""
    args: dict = {"politik": policy.slug}
    if len(selected) != len(rounds):
        args["runde"] = [r.id for r in selected]
    return args


def _point(value: Estimate | None, reason: str | None, factor: float = 1.0) -> Point:
    """The value on 0–100, or the reason it is hidden (results.labels)."""
    if value:
        return Point(value.mean * factor, value.low * factor, value.high * factor)
    return Point(None, missing=hidden_label(reason, minimum_group()))


def area_series(rows: list[Row]) -> list[Series]:
    """Share satisfied and the transparency index over the rounds, both on 0–100."""
    return [
        Series(
            _("Andel tilfredse (%)"),
            [
                _point(r.satisfaction and r.satisfaction.share_satisfied, r.hidden.get("satisfaction"), 100)
                for r in rows
            ],
        ),
        Series(
            _("Gennemsigtighed (0–100)"),
            [_point(r.transparency and r.transparency.index, r.hidden.get("transparency")) for r in rows],
        ),
    ]


def area_chart(
    area: FocusArea, rows: list[Row], chart_id: str, width: int = 640, height: int = 300, every_value: bool = False
):
    """Share satisfied and the transparency index over the rounds, on one 0–100 axis. With `every_value` the
    chart's title (its text alternative in the tagged PDF) states every value of every round."""
    title = _("%(code)s. %(title)s over runderne", code=area.code, title=area.title)
    labels, series = [r.round_.label for r in rows], area_series(rows)
    words = {"missing_label": hidden_label(None, minimum_group()), "format_number": lambda value: decimal(value, 0)}
    if every_value:
        title = chart_alternative(title, labels, series, **words)
    return trend_chart(title, labels, series, **words, chart_id=chart_id, width=width, height=height)


def answer_charts(
    report: Report, area: FocusArea, rounds: list, prefix: str, every_value: bool = False, found: list | None = None
) -> list[tuple]:
    """Per round (of `rounds`) and set of answer options (a satisfaction scale, an agreement scale): the round, its
    shown answer distributions for the area (`found`, else counted here), and their stacked chart (`every_value`:
    see distribution_chart)."""
    if found is None:
        found = distributions(report, area.id, report.minimum, rounds)
    hidden = _("Skjulte svarmuligheder i alt:")
    charts = []
    for round_ in rounds:
        scales: dict[tuple, list] = {}
        for one in (d for d in found if d.round_id == round_.id):
            scales.setdefault(tuple(o.label for o in one.options), []).append(one)
        for number, mine in enumerate(scales.values()):
            title = _("Svarfordeling: %(area)s, %(round)s", area=area.title, round=round_.label)
            chart_id = f"{prefix}-{area.code}-{round_.id}-{number}"
            charts.append((round_, mine, distribution_chart(title, mine, hidden, chart_id, every_value=every_value)))
    return charts


def screen_charts(area: FocusArea, rows: list[Row]) -> Markup:
    """A wide and a narrow drawing of the chart; the stylesheet shows the one that fits, so the text stays
    readable on a phone (the hidden one is display: none, so screen readers meet one chart)."""
    wide = area_chart(area, rows, f"chart-{area.code}")
    narrow = area_chart(area, rows, f"chart-{area.code}-smal", width=340, height=260)
    return Markup('<div class="chart-wide">{}</div><div class="chart-narrow">{}</div>').format(wide, narrow)


def _charts(policy: Policy, rows: list[Row], draw=screen_charts) -> dict:
    return {area.id: draw(area, [r for r in rows if r.focus_area.id == area.id]) for area in policy.focus_areas}


@admin_bp.get("/")
@role_required(*ROLES)
def index():
    """Satisfaction and transparency per focus area and round for one policy, with a chart per focus area."""
    policies, policy, rounds, selected = _choice()
    rows = policy_table(policy, selected) if policy else []
    wanted = _wanted(rounds)
    return render_template(
        "results/index.html",
        filters=ResultsFilterForm.showing(policies, policy, rounds, wanted),
        policy=policy,
        selected=selected,
        rows=rows,
        charts=_charts(policy, rows) if rows else {},
        minimum=minimum_group(),
        query=_query(policy, rounds, selected) if policy else {},
        sheets=ex.sheet_titles(selected) if policy else [],
        wanted=wanted,
        waiting=progress(wanted),
        bursts=submit_rate.bursts([r.id for r in wanted]),
    )


def _area(policy: Policy, code: str) -> FocusArea:
    area = next((a for a in policy.focus_areas if a.code == code), None)
    if area is None:
        abort(404)
    return area


@admin_bp.get("/omraade/<code>")
@role_required(*ROLES)
def area(code: str):
    """One focus area: the measures per question and per background group, and the citizens' comments."""
    policy, rounds, selected = _chosen_policy()
    focus_area = _area(policy, code)
    report = policy_report(policy, selected)
    rows = report.rows_of(focus_area)
    allowed = comment_groups(focus_area.id, [r.id for r in selected])
    page = max(request.args.get("side", 1, type=whole_number) or 1, 1)
    comment_filter = CommentFilterForm(request.args)
    quotable_only = bool(comment_filter.citerbare.data)
    found, total = comments(focus_area.id, allowed, quotable_only, page) if allowed else ([], 0)
    if found:  # citizens' own words were read: who, which, when
        audit(
            "comments_viewed",
            target=f"policy:{policy.slug}",
            area=code,
            page=page,
            answers=[c.answer_id for c in found],
        )
        db.session.commit()
    return render_template(
        "results/area.html",
        policy=policy,
        area=focus_area,
        report=report,
        rows=rows,
        chart=screen_charts(focus_area, rows) if rows else None,
        selected=selected,
        query=_query(policy, rounds, selected),
        comments=found,
        comments_total=total,
        comment_rounds=allowed,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        quotable_only=quotable_only,
        comment_filter=comment_filter,
        minimum=report.minimum,
        comments_minimum=comments_minimum(),
        round_labels={r.id: r.label for r in selected},
        waiting=progress(_wanted(rounds)),
        bursts=submit_rate.bursts([r.id for r in selected]),
        answer_charts=answer_charts(report, focus_area, selected, "fordeling"),
        tests=change_tests(report.rows),
        methods=methods,
    )


@admin_bp.post("/omraade/<code>/citat")
@role_required(*ROLES)
def choose_quote(code: str):
    """Pick or drop a comment as a quote for the report (form on the focus area page; CSRF checked)."""
    policy, rounds, selected = _chosen_policy()
    focus_area = _area(policy, code)
    answer = db.session.get(Answer, request.form.get("svar", type=big_id) or 0)
    if (
        answer is None
        or answer.focus_area_id != focus_area.id
        or answer.response.round_id not in {r.id for r in selected}
    ):
        abort(404)
    target = f"answer:{answer.id}"
    if request.form.get("handling") == "fravaelg":
        if quote := db.session.get(Quote, answer.id):
            db.session.delete(quote)
            audit("quote_dropped", target=target, policy=policy.slug)
            flash(_("Citatet er fravalgt."), "success")
    elif db.session.get(Quote, answer.id) is None:
        try:
            pick(answer, current_user.id)
        except NeedsRedaction as refused:
            flash(str(refused), "error")
            return redirect(
                url_for(".redact_quote", code=code, svar=answer.id, **_query(policy, rounds, selected)), 303
            )
        except QuoteRefused as refused:
            flash(str(refused), "error")
        else:
            audit("quote_chosen", target=target, policy=policy.slug)
            flash(_("Kommentaren er valgt som citat til bilaget."), "success")
    db.session.commit()
    args = _query(policy, rounds, selected) | {k: v for k, v in request.args.items() if k in ("side", "citerbare")}
    return redirect(url_for(".area", code=code, **args) + "#kommentarer", code=303)


def _download(policy: Policy, selected: list, fmt: str, what: str, content: bytes, mimetype: str, name: str):
    """Log the download (who, what, when), then hand the file over."""
    audit("export", target=f"policy:{policy.slug}", format=fmt, what=what, rounds=[r.id for r in selected])
    db.session.commit()
    return attachment(content, mimetype, name)


@admin_bp.get("/eksport.xlsx")
@role_required(*ROLES)
def export_xlsx():
    """Every view as a sheet, after a first sheet that says what the numbers are."""
    policy, _rounds, selected = _chosen_policy()
    report = policy_report(policy, selected)
    content = xlsx_bytes(_("Om tallene"), ex.facts(report), ex.all_sheets(report))
    return _download(policy, selected, "xlsx", "results", content, XLSX_TYPE, f"resultater-{policy.slug}.xlsx")


@admin_bp.get("/eksport-<int:number>.csv")
@role_required(*ROLES)
def export_csv(number: int):
    """One view (numbered as on the page) as CSV for Danish Excel."""
    policy, _rounds, selected = _chosen_policy()
    sheets = ex.all_sheets(policy_report(policy, selected))
    if not 1 <= number <= len(sheets):
        abort(404)
    content = csv_bytes(sheets[number - 1])
    return _download(
        policy, selected, "csv", sheets[number - 1].title, content, CSV_TYPE, f"resultater-{policy.slug}-{number}.csv"
    )


@admin_bp.get("/eksport.json")
@role_required(*ROLES)
def export_json():
    """The same views as JSON, for other systems."""
    policy, _rounds, selected = _chosen_policy()
    content = json.dumps(ex.as_json(policy_report(policy, selected)), ensure_ascii=False, indent=1).encode()
    return _download(policy, selected, "json", "results", content, "application/json", f"resultater-{policy.slug}.json")


def _bilag(policy: Policy, rounds: list, selected: list, for_pdf: bool) -> str:
    if not selected:
        abort(404)  # no round chosen has closed yet: there is nothing to report (the index offers no link)
    report = policy_report(policy, selected)
    rows = report.rows
    round_ids = [r.id for r in selected]
    totals = ex.round_totals(selected)
    newest = selected[-1:]  # the report shows the answer distributions of the newest round
    found = area_distributions(report, [area.id for area in policy.focus_areas], report.minimum, newest)
    asked = AskedCounts(round_ids)  # who was asked the open questions, counted once for every area's quotes
    return render_template(
        "results/bilag.html",
        policy=policy,
        selected=selected,
        rows=rows,
        tests=change_tests(rows),
        methods=methods,
        collections=collections(selected, totals),
        items={
            area.id: {d: scored_items(selected, area, d) for d in ("satisfaction", "transparency")}
            for area in policy.focus_areas
        },
        answer_charts={
            area.id: answer_charts(report, area, newest, "bilag", for_pdf, found[area.id])
            for area in policy.focus_areas
        },
        charts=_charts(
            policy, rows, lambda area, rows: area_chart(area, rows, f"chart-{area.code}", every_value=for_pdf)
        ),
        quotes={area.id: report_quotes(area.id, round_ids, asked) for area in policy.focus_areas},
        minimum=minimum_group(),
        totals=totals,
        for_pdf=for_pdf,
        query=_query(policy, rounds, selected),
    )


@admin_bp.get("/bilag")
@role_required(*ROLES)
def bilag():
    """The committee's report as a printable page."""
    policy, rounds, selected = _chosen_policy()
    html = _bilag(policy, rounds, selected, for_pdf=False)
    audit("report_viewed", target=f"policy:{policy.slug}", format="html", rounds=[r.id for r in selected])
    db.session.commit()
    return html


@admin_bp.get("/bilag.pdf")
@role_required(*ROLES)
def bilag_pdf():
    """The committee's report as PDF (WeasyPrint), one page per focus area."""
    from weasyprint import CSS, HTML  # heavy; loaded only when a PDF is asked for
    from weasyprint.urls import URLFetcher

    policy, rounds, selected = _chosen_policy()
    html = _bilag(policy, rounds, selected, for_pdf=True)
    # The page is complete as it is (charts are inline SVG): WeasyPrint may fetch nothing, local or remote.
    refuse_all = URLFetcher(allowed_protocols=())
    stylesheet = CSS(filename=str(Path(current_app.static_folder) / "bilag.css"), url_fetcher=refuse_all)
    # PDF/UA-1: tagged (headings, tables, figures with their text alternative), with title and language, because
    # the bilag is published with the agenda and the webtilgængelighedslov applies to it
    document = HTML(string=html, url_fetcher=refuse_all)
    content = document.write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")
    return _download(policy, selected, "pdf", "bilag", content, PDF_TYPE, f"bilag-{policy.slug}.pdf")
