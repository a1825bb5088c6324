"""Text alternatives of the charts for the tagged PDF: every value of every series in every round, said in words,
so that a reader who cannot see the chart gets all its numbers (PDF/UA: a figure needs an alternative text)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from survey.results.charts import Point, Series


def _value(point: Point, missing_label: str, format_number: Callable[[float], str]) -> str:
    if point.value is None:
        return point.said(missing_label)
    if point.low is None or point.high is None:
        return format_number(point.value)
    return f"{format_number(point.value)} ({format_number(point.low)}–{format_number(point.high)})"


def chart_alternative(
    title: str,
    labels: list[str],
    series: list[Series],
    *,
    missing_label: str,
    format_number: Callable[[float], str],
) -> str:
    """'<title>. <series>, <round>: <value> (<low>–<high>). …' for each series and round, then what the brackets are."""
    parts = [f"{title}."]
    for one in series:
        parts += [
            f"{one.name}, {label}: {_value(point, missing_label, format_number)}."
            for label, point in zip(labels, one.points, strict=True)
        ]
    if any(p.value is not None and p.low is not None for one in series for p in one.points):
        parts.append(_("Tal i parentes er 95 %-konfidensintervaller."))
    return " ".join(parts)
