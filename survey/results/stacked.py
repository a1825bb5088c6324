"""The answer distribution chart: one stacked bar per question, 0–100 % of its answers, one segment per answer
option, hidden options together as one pale segment. Plain SVG like the trend charts (see charts), with a text
alternative that states every shown number; the page prints the same numbers in a table next to it."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from survey.kernel.i18n import decimal
from survey.results import labels
from survey.results.charts import FONT, GRID, LEFT, LINE, PAD, RIGHT, SMALL, TEXT, _attrs, _n, _text, _wrap, svg_figure
from survey.results.distributions import Distribution
from survey.results.suppression import minimum_group

BAR, GAP, SWATCH, LEGEND_ROW = 22, 10, 12, 18
#: a diverging scale for 1–5 (ColorBrewer RdBu, readable in greyscale by lightness), grey for "Ved ikke"
COLOURS = ("#b2182b", "#ef8a62", "#e0e0e0", "#67a9cf", "#2166ac")
DONT_KNOW_COLOUR, HIDDEN_COLOUR = "#878787", "#ffffff"
DARK = {"#b2182b", "#2166ac", "#878787"}


def _colour(index: int, value: str) -> str:
    return COLOURS[index] if value in "12345" and index < len(COLOURS) else DONT_KNOW_COLOUR


def distribution_chart(
    title: str, found: list[Distribution], hidden_label: str, chart_id: str, width: int = 640, every_value: bool = False
):
    """The stacked bars of `found` (one round's distributions), a legend of the options above them. With
    `every_value` the title states every count too: the PDF takes a figure's text alternative from the title."""
    if not found:
        return Markup("")
    legend = [(o.label, _colour(i, o.value)) for i, o in enumerate(found[0].options)] + [(hidden_label, HIDDEN_COLOUR)]
    parts, y = _legend(legend, width)
    for one in found:
        lines = _wrap(one.text, width - LEFT - RIGHT, FONT, max_lines=2)
        parts.append(_text(PAD, y + FONT, lines, anchor="start"))
        y += len(lines) * LINE + 4
        parts += _bar(one, PAD, y, width - PAD - RIGHT)
        y += BAR + GAP
    summary = _summary(found, hidden_label)
    return svg_figure(chart_id, f"{title}. {summary}" if every_value else title, summary, parts, width, y + PAD)


def _legend(entries: list[tuple[str, str]], width: int) -> tuple[list[str], float]:
    parts, x, y = [], float(PAD), float(PAD)
    for label, colour in entries:
        entry = SWATCH + 6 + len(label) * SMALL * 0.6 + 16
        if x > PAD and x + entry > width - RIGHT:
            x, y = float(PAD), y + LEGEND_ROW
        box = _attrs(x=_n(x), y=_n(y), width=SWATCH, height=SWATCH, fill=colour, stroke=GRID)
        parts += [f"<rect{box}/>", _text(x + SWATCH + 6, y + SWATCH - 2, [label], size=SMALL, anchor="start")]
        x += entry
    return parts, y + LEGEND_ROW + 6


def _bar(one: Distribution, x: float, y: float, length: float) -> list[str]:
    parts, at = [], x
    segments = [(o.count, _colour(i, o.value)) for i, o in enumerate(one.options) if o.count]
    if one.hidden:
        segments.append((one.hidden, HIDDEN_COLOUR))
    for count, colour in segments:
        width = count / one.total * length
        box = _attrs(x=_n(at), y=_n(y), width=_n(width), height=BAR, fill=colour, stroke="#ffffff")
        if colour == HIDDEN_COLOUR:
            box = _attrs(x=_n(at), y=_n(y), width=_n(width), height=BAR, fill=colour, stroke=GRID)
        parts.append(f'<rect class="segment"{box}/>')
        if colour != HIDDEN_COLOUR and width >= 34:
            fill = "#ffffff" if colour in DARK else TEXT
            label = [decimal(count / one.total * 100, 0) + " %"]
            parts.append(_text(at + width / 2, y + BAR / 2 + 4, label, size=SMALL, fill=fill))
        at += width
    return parts


def _summary(found: list[Distribution], hidden_label: str) -> str:
    """Every shown count and its percentage, question by question, for screen readers and the PDF's figure; a
    hidden option says why (results.labels), and the hidden options' answers together."""
    minimum = minimum_group()
    sentences = []
    for one in found:
        shown = [
            f"{o.label} {o.count} ({decimal(o.percent(one.total), 0)} %)"
            if o.count is not None
            else f"{o.label}: {labels.hidden_label(o.reason, minimum)}"
            for o in one.options
        ]
        if one.hidden:
            shown.append(f"{hidden_label} {one.hidden}")
        sentences.append(
            _(
                "%(question)s: %(answers)s af %(total)d svar.",
                question=one.text,
                answers=", ".join(shown),
                total=one.total,
            )
        )
    return " ".join(sentences)
