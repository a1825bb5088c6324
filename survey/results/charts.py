"""Trend charts for the committee: one server-rendered SVG per focus area, measures over rounds on one 0–100 axis.

Plain SVG 1.1 with presentation attributes only (no style attribute, no <style>, no script), so it passes a strict
Content-Security-Policy and renders in WeasyPrint. Series differ by Okabe–Ito colour, marker shape and dash pattern,
so they survive colour blindness and greyscale print. The SVG has a viewBox and width="100%": it scales to its
container, so all coordinates below are viewBox units."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

LEFT, RIGHT, PAD = 40, 16, 8  # LEFT leaves room for the tick label "100"
FONT, SMALL, LINE = 12, 11, 14  # axis and legend text, values and missing labels, line height of wrapped text
CHAR = 0.6  # estimated character width per font size; generous for Helvetica/Arial so wrapped text never collides
LEGEND_ROW, SAMPLE = 20, 24  # height of a legend row, length of the line sample in front of a legend entry
DODGE, CAP = 8, 3  # series at one round sit DODGE apart so their whiskers do not overlap; CAP: half a whisker cap
TICKS = (0, 25, 50, 75, 100)
TEXT, MUTED, GRID, AXIS = "#1a1a1a", "#4d4d4d", "#d9d9d9", "#595959"
FONT_FAMILY = "Helvetica, Arial, sans-serif"
# (colour, stroke-dasharray, marker) per series: Okabe–Ito blue, vermillion, bluish green.
LOOKS = (("#0072B2", None, "circle"), ("#D55E00", "6 4", "square"), ("#009E73", "2 3", "diamond"))


@dataclass(frozen=True)
class Point:
    value: float | None  # None = suppressed/unknown
    low: float | None = None
    high: float | None = None
    #: what to say instead of a missing value (why it is hidden); None: the chart's missing_label
    missing: str | None = None

    def said(self, missing_label: str) -> str | None:
        """What stands for a missing value, None when there is a value."""
        return (self.missing or missing_label) if self.value is None else None


@dataclass(frozen=True)
class Series:
    name: str  # legend text, e.g. "Andel tilfredse (%)"
    points: list[Point]  # one per x label, same length as labels


@dataclass(frozen=True)
class _Frame:
    """The plot area: rounds in equal slots along x, 0–100 along y (100 at the top)."""

    left: float
    right: float
    top: float
    bottom: float
    count: int

    @property
    def slot(self) -> float:
        return (self.right - self.left) / self.count

    def x(self, index: int, offset: float = 0.0) -> float:
        return self.left + (index + 0.5) * self.slot + offset

    def y(self, value: float) -> float:
        return self.bottom - min(max(value, 0.0), 100.0) / 100 * (self.bottom - self.top)


def _whole_number(value: float) -> str:
    return f"{value:.0f}".replace(".", ",")


def trend_chart(
    title: str,
    labels: list[str],
    series: list[Series],
    *,
    missing_label: str,
    format_number: Callable[[float], str] = _whole_number,
    width: int = 640,
    height: int = 300,
    chart_id: str = "chart",
    summary: str | None = None,
) -> Markup:
    """An SVG line chart of measures on 0–100 over rounds, 95 % intervals as whiskers, gaps where a group is hidden.

    `summary` replaces the generated text description (the last round's value of each series)."""
    if not labels or any(len(s.points) != len(labels) for s in series):
        raise ValueError("a chart needs labels and one point per label in every series")
    legend, rows = _legend(series, width)
    label_lines = _x_labels(labels, (width - LEFT - RIGHT) / len(labels))
    bottom = height - PAD - max(1, *map(len, label_lines)) * LINE - 6
    frame = _Frame(LEFT, width - RIGHT, PAD + rows * LEGEND_ROW + 10, bottom, len(labels))
    parts = [
        *_grid(frame),
        *legend,
        *(_text(frame.x(i), bottom + 6 + FONT, lines) for i, lines in enumerate(label_lines) if lines),
        *_marks(frame, series, format_number),
        *_missing(frame, series, missing_label),
    ]
    description = summary or _summary(labels, series, missing_label, format_number)
    return svg_figure(chart_id, title, description, parts, width, height)


def svg_figure(chart_id: str, title: str, description: str, parts: list[str], width: float, height: float) -> Markup:
    """An SVG image named by its title and described (the numbers in words) for screen readers and the PDF's tags."""
    ids = f"{chart_id}-title", f"{chart_id}-desc"
    head = [
        f"<title{_attrs(id=ids[0])}>{escape(title)}</title>",
        f"<desc{_attrs(id=ids[1])}>{escape(description)}</desc>",
    ]
    root = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width} {height}",
        width="100%",
        role="img",
        aria_labelledby=" ".join(ids),
        font_family=FONT_FAMILY,
        font_size=FONT,
    )
    return Markup(f"<svg{root}>{''.join(head + parts)}</svg>")


def _attrs(**attrs: object) -> str:
    """Attributes from keywords (aria_labelledby → aria-labelledby, class_ → class), escaped; None left out."""
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attrs.items() if value is not None
    )


def _n(value: float) -> str:
    return f"{value:.1f}"


def _wrap(text: str, width: float, size: int, max_lines: int = 3) -> list[str]:
    """Words into lines that fit `width` by estimate; a word or a last line that still does not fit ends in "…"."""
    fits = max(2, int(width / (size * CHAR)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= fits:
            lines[-1] += " " + word
        else:
            lines.append(word)
    lines = [line if len(line) <= fits else line[: fits - 1] + "…" for line in lines]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: fits - 1].rstrip() + "…"]
    return lines


def _x_labels(labels: list[str], slot: float) -> list[list[str]]:
    """Labels wrapped to their slot; where words must be cut to fit, only every second (third, …) label is shown,
    counted back from the latest round, with the room of the hidden ones."""
    for step in range(1, len(labels) + 1):
        shown = [(len(labels) - 1 - i) % step == 0 for i in range(len(labels))]
        wrapped = [
            _wrap(label, step * slot - 6, FONT) if show else [] for label, show in zip(labels, shown, strict=True)
        ]
        if not any(line.endswith("…") for lines in wrapped for line in lines):
            break
    return wrapped


def _text(x: float, y: float, lines: list[str], *, size: int = FONT, anchor: str = "middle", **attrs: object) -> str:
    """Text of one or more lines (tspans LINE apart); `attrs` may override the defaults, e.g. fill."""
    spans = "".join(
        f"<tspan{_attrs(x=_n(x), dy=0 if i == 0 else LINE)}>{escape(line)}</tspan>" for i, line in enumerate(lines)
    )
    defaults = {"x": _n(x), "y": _n(y), "font_size": size, "text_anchor": anchor, "fill": TEXT}
    return f"<text{_attrs(**(defaults | attrs))}>{spans}</text>"


def _marker(shape: str, x: float, y: float, colour: str, *, hollow: bool = False) -> str:
    paint = _attrs(fill="#ffffff" if hollow else colour, stroke=colour if hollow else "#ffffff", stroke_width=1.5)
    if shape == "circle":
        return f'<circle class="marker"{_attrs(cx=_n(x), cy=_n(y), r=4.5)}{paint}/>'
    if shape == "square":
        return f'<rect class="marker"{_attrs(x=_n(x - 4), y=_n(y - 4), width=8, height=8)}{paint}/>'
    return f'<path class="marker" d="M{_n(x)},{_n(y - 5.5)}l5.5,5.5l-5.5,5.5l-5.5,-5.5z"{paint}/>'


def _grid(frame: _Frame) -> Iterator[str]:
    for tick in TICKS:
        y = frame.y(tick)
        line = _attrs(x1=frame.left, y1=_n(y), x2=frame.right, y2=_n(y), stroke=AXIS if tick == 0 else GRID)
        yield f"<line{line}/>"
        yield _text(frame.left - 6, y + 4, [str(tick)], anchor="end")


def _legend(series: list[Series], width: int) -> tuple[list[str], int]:
    """Legend entries above the plot, starting a new row where an entry would cross the right edge."""
    parts, x, row = [], float(LEFT), 0
    for k, one in enumerate(series):
        colour, dash, shape = LOOKS[k % len(LOOKS)]
        name = " ".join(_wrap(one.name, width - LEFT - RIGHT - SAMPLE - 6, FONT, max_lines=1))
        entry = SAMPLE + 6 + len(name) * FONT * CHAR
        if x > LEFT and x + entry > width - RIGHT:
            row, x = row + 1, float(LEFT)
        y = PAD + row * LEGEND_ROW + LEGEND_ROW / 2
        sample = _attrs(x1=_n(x), y1=_n(y), x2=_n(x + SAMPLE), y2=_n(y), stroke_dasharray=dash)
        parts += [f'<line{sample} stroke="{colour}" stroke-width="2"/>', _marker(shape, x + SAMPLE / 2, y, colour)]
        parts.append(_text(x + SAMPLE + 6, y + 4, [name], anchor="start"))
        x += entry + 18
    return parts, (row + 1 if series else 0)


def _runs(xs: list[float], points: list[Point]) -> Iterator[list[tuple[float, float]]]:
    """Consecutive known values: the line is broken wherever a value is hidden."""
    run: list[tuple[float, float]] = []
    for x, point in zip(xs, points, strict=True):
        if point.value is not None:
            run.append((x, point.value))
        elif run:
            yield run
            run = []
    if run:
        yield run


def _marks(frame: _Frame, series: list[Series], format_number: Callable[[float], str]) -> list[str]:
    """Lines first, then whiskers and markers, then values, so no line covers another series' marker."""
    lines, points, values = [], [], []
    for k, one in enumerate(series):
        colour, dash, shape = LOOKS[k % len(LOOKS)]
        xs = [frame.x(i, (k - (len(series) - 1) / 2) * DODGE) for i in range(frame.count)]
        for run in _runs(xs, one.points):
            if len(run) > 1:
                d = "M" + "L".join(f"{_n(x)},{_n(frame.y(v))}" for x, v in run)
                paint = _attrs(stroke=colour, stroke_width=2, stroke_dasharray=dash, fill="none")
                lines.append(f'<path class="line" d="{d}"{paint}/>')
        # Values of the first of two series go left of their point, the other's right, away from each other.
        left = len(series) > 1 and k % 2 == 0
        # Values of neighbouring rounds would collide in narrow slots; there the axis must do.
        values_fit = frame.slot >= 2 * (7 + 3 * SMALL * CHAR)
        for x, point in zip(xs, one.points, strict=True):
            if point.value is None:
                continue
            y = frame.y(point.value)
            if point.low is not None and point.high is not None:
                points.append(_whisker(x, frame.y(point.low), frame.y(point.high), colour))
            points.append(_marker(shape, x, y, colour))
            if not values_fit:
                continue
            # A white halo under the value keeps it legible where a line passes behind it.
            at = (x - 7 if left else x + 7, y + 4, [format_number(point.value)])
            where = {"size": SMALL, "anchor": "end" if left else "start"}
            values.append(
                _text(*at, **where, fill="#ffffff", stroke="#ffffff", stroke_width=3, stroke_linejoin="round")
            )
            values.append(_text(*at, **where, class_="value"))
    return lines + points + values


def _whisker(x: float, low: float, high: float, colour: str) -> str:
    """The 95 % interval: a vertical line from low to high with a short cap at each end."""
    ends = "".join(f"<line{_attrs(x1=_n(x - CAP), y1=_n(y), x2=_n(x + CAP), y2=_n(y))}/>" for y in (low, high))
    span = f"<line{_attrs(x1=_n(x), y1=_n(low), x2=_n(x), y2=_n(high))}/>"
    return f'<g class="whisker"{_attrs(stroke=colour, stroke_width=1.5)}>{span}{ends}</g>'


def _missing(frame: _Frame, series: list[Series], missing_label: str) -> Iterator[str]:
    """At the foot of each round with a hidden value: the label, above it hollow markers of the hidden series if
    only some are hidden, in a framed note so that the markers do not read as data points."""
    for i in range(frame.count):
        hidden = [k for k, one in enumerate(series) if one.points[i].value is None]
        if not hidden:
            continue
        # each hidden series' own reason, once each (two series hidden alike share one note)
        said = dict.fromkeys(series[k].points[i].said(missing_label) for k in hidden)
        lines = _wrap("; ".join(said), frame.slot - 2, SMALL)
        x, markers = frame.x(i), len(hidden) < len(series)
        top = frame.bottom - 6 - (len(lines) + markers) * LINE
        box = min(frame.slot - 2, max(map(len, lines), default=0) * SMALL * CHAR + 8)
        backing = _attrs(x=_n(x - box / 2), y=_n(top - 2), width=_n(box), height=(len(lines) + markers) * LINE + 4)
        yield f'<rect class="note"{backing} rx="3" fill="#ffffff" stroke="{GRID}"/>'
        for j, k in enumerate(hidden if markers else []):
            colour, _, shape = LOOKS[k % len(LOOKS)]
            yield _marker(shape, x + (j - (len(hidden) - 1) / 2) * 14, top + LINE / 2, colour, hollow=True)
        yield _text(x, top + markers * LINE + SMALL, lines, size=SMALL, fill=MUTED, class_="missing")


def _summary(labels: list[str], series: list[Series], missing_label: str, format_number: Callable[[float], str]) -> str:
    """The last round's value and interval of each series, for screen readers, saying what the brackets are."""
    parts, intervals = [], False
    for one in series:
        last = one.points[-1]
        if last.value is None:
            value = last.said(missing_label)
        elif last.low is None or last.high is None:
            value = format_number(last.value)
        else:
            value = f"{format_number(last.value)} ({format_number(last.low)}–{format_number(last.high)})"
            intervals = True
        parts.append(f"{one.name}, {labels[-1]}: {value}.")
    if intervals:
        parts.append(_("Tal i parentes er 95 %-konfidensintervaller."))
    return " ".join(parts)
