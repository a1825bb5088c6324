"""The curve of a round's completions: one bar per day, drawn on the server as an SVG image.

Plain SVG with presentation attributes only (no style attribute, no script), so it passes the strict
Content-Security-Policy and needs no JavaScript; named by its title and described by its figures in words for
screen readers, and the page shows the same figures in a table. It has a viewBox and width="100%": it scales to its
container, so the coordinates below are viewBox units."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup, escape

from survey.questionnaire.response_rate import Day

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 30  # room for the counts at the left and the dates below
FONT = 12
BAR, GRID, AXIS, TEXT = "#0072B2", "#d9d9d9", "#595959", "#1a1a1a"  # Okabe–Ito blue; text and axis at 4.5:1 or more
FONT_FAMILY = "Helvetica, Arial, sans-serif"


def short_date(day: date) -> str:
    """A date as Danes write it short: 6.12."""
    return f"{day.day}.{day.month}."


def _attrs(**attrs: object) -> str:
    return "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())


def _ticks(highest: int) -> list[int]:
    """Whole-number ticks from 0 to at least `highest`: 0, a middle one when it is whole, the top."""
    top = max(highest, 1)
    if top % 2:
        top += 1 if top > 1 else 0
    return sorted({0, top // 2, top}) if top > 1 else [0, 1]


def completions_chart(days: Sequence[Day], chart_id: str = "rate-chart") -> Markup:
    """Completions per day as bars, the first and the last day named below."""
    ticks = _ticks(max((day.completed for day in days), default=0))
    top, bottom = TOP, HEIGHT - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)

    def y(value: int) -> float:
        return bottom - value / ticks[-1] * (bottom - top)

    parts = []
    for tick in ticks:
        line = _attrs(x1=LEFT, y1=f"{y(tick):.1f}", x2=WIDTH - RIGHT, y2=f"{y(tick):.1f}")
        parts.append(f'<line{line} stroke="{AXIS if tick == 0 else GRID}"/>')
        parts.append(_label(LEFT - 6, y(tick) + 4, str(tick), "end"))
    for i, day in enumerate(days):
        if day.completed:
            height = bottom - y(day.completed)
            bar = _attrs(x=f"{LEFT + i * slot + slot * 0.1:.1f}", y=f"{y(day.completed):.1f}")
            parts.append(f'<rect{bar}{_attrs(width=f"{slot * 0.8:.1f}", height=f"{height:.1f}")} fill="{BAR}"/>')
    if days:
        parts.append(_label(LEFT, HEIGHT - 8, short_date(days[0].day), "start"))
        if len(days) > 1:
            parts.append(_label(WIDTH - RIGHT, HEIGHT - 8, short_date(days[-1].day), "end"))
    return _figure(chart_id, _("Gennemførte besvarelser pr. dag"), _description(days), parts)


def _label(x: float, y: float, text: str, anchor: str) -> str:
    return f'<text{_attrs(x=f"{x:.1f}", y=f"{y:.1f}", text_anchor=anchor)} fill="{TEXT}">{escape(text)}</text>'


def _description(days: Sequence[Day]) -> str:
    if not days:
        return _("Runden er ikke åbnet endnu.")
    best = max(days, key=lambda day: day.completed)
    total = sum(day.completed for day in days)
    if not total:
        return _(
            "Ingen gennemførte besvarelser fra %(first)s til %(last)s.",
            first=short_date(days[0].day),
            last=short_date(days[-1].day),
        )
    return _(
        "Fra %(first)s til %(last)s: %(total)d gennemførte besvarelser, flest den %(best_day)s (%(best)d).",
        first=short_date(days[0].day),
        last=short_date(days[-1].day),
        total=total,
        best_day=short_date(best.day),
        best=best.completed,
    )


def _figure(chart_id: str, title: str, description: str, parts: list[str]) -> Markup:
    ids = f"{chart_id}-title", f"{chart_id}-desc"
    root = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {WIDTH} {HEIGHT}",
        width="100%",
        role="img",
        aria_labelledby=" ".join(ids),
        font_family=FONT_FAMILY,
        font_size=FONT,
    )
    head = f'<title id="{ids[0]}">{escape(title)}</title><desc id="{ids[1]}">{escape(description)}</desc>'
    return Markup(f"<svg{root}>{head}{''.join(parts)}</svg>")
