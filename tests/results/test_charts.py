"""The trend chart as the SVG it is: parsed as XML, geometry read back from its own gridlines and checked."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from survey.results.charts import Point, Series, trend_chart

SVG = "{http://www.w3.org/2000/svg}"
MISSING = "færre end 5 svar"
ROUNDS = ["Forår 2023", "Efterår 2023", "Forår 2024", "Efterår 2024", "Forår 2025", "Efterår 2025", "Forår 2026"]
LABELS = [*ROUNDS, "Efterår 2026"]
# Generous for Helvetica/Arial: Chromium measures 0.46–0.50 of the font size per character for these labels.
CHAR = 0.6


@pytest.fixture(autouse=True)
def _clean_tables():
    """A pure function: no app and no database needed, so the conftest's table cleaning is switched off here."""
    yield


def satisfied(*values):
    return Series("Andel tilfredse (%)", [Point(v, v - 7, v + 6) if v is not None else Point(None) for v in values])


def transparency(*values):
    return Series("Gennemsigtighed (0–100)", [Point(v, v - 5, v + 5) if v is not None else Point(None) for v in values])


def chart(labels=LABELS, series=None, **kwargs):
    series = series if series is not None else [satisfied(72, 75, None, 78, 81, 79, 83, 86), transparency(*[60] * 8)]
    return ET.fromstring(str(trend_chart("Beskæftigelse", labels, series, missing_label=MISSING, **kwargs)))


def find(root, tag, cls=None):
    return [e for e in root.iter(SVG + tag) if cls is None or e.get("class") == cls]


def text_of(element):
    return " ".join(span.text for span in find(element, "tspan"))


def plot(root):
    """(left, right, y of 0, y of 100) from the horizontal gridlines, which span the plot area."""
    grid = [
        e for e in find(root, "line") if e.get("y1") == e.get("y2") and float(e.get("x2")) - float(e.get("x1")) > 100
    ]
    ys = sorted(float(e.get("y1")) for e in grid)
    assert len(ys) == 5, "gridlines at 0, 25, 50, 75 and 100"
    return float(grid[0].get("x1")), float(grid[0].get("x2")), ys[-1], ys[0]


def y_of(root, value):
    _, _, zero, hundred = plot(root)
    return zero - value / 100 * (zero - hundred)


def path_xs(path):
    return [float(x) for x, _ in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path.get("d"))]


def test_named_and_described_for_screen_readers():
    root = chart()
    assert root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert title.text == "Beskæftigelse"
    assert desc.text == (
        "Andel tilfredse (%), Efterår 2026: 86 (79–92). Gennemsigtighed (0–100), Efterår 2026: 60 (55–65). "
        "Tal i parentes er 95 %-konfidensintervaller."
    )


def test_description_says_when_the_last_round_is_hidden():
    desc = chart(labels=["Forår 2026"], series=[satisfied(None)]).find(SVG + "desc")
    assert desc.text == f"Andel tilfredse (%), Forår 2026: {MISSING}."


def test_ids_unique_per_chart_and_page():
    ids = [e.get("id") for c in ("tilfredshed-1", "tilfredshed-2") for e in chart(chart_id=c).iter() if e.get("id")]
    assert len(ids) == 4
    assert len(set(ids)) == 4


def test_text_is_escaped():
    nasty = 'Børn & "unge" <script>'
    svg = str(trend_chart(nasty, [nasty, "Efterår"], [Series(nasty, [Point(50), Point(60)])], missing_label=nasty))
    root = ET.fromstring(svg)  # well-formed despite the input
    assert root.find(SVG + "title").text == nasty
    assert nasty in root.find(SVG + "desc").text
    assert "<script" not in svg
    assert any(text_of(t) == nasty for t in find(root, "text"))  # the legend


def test_only_presentation_attributes_for_a_strict_csp():
    for element in chart().iter():
        assert element.tag not in {SVG + "style", SVG + "script", SVG + "foreignObject"}
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)


def test_scales_with_its_container():
    root = chart(width=340, height=260)
    assert root.get("viewBox") == "0 0 340 260"
    assert root.get("width") == "100%"
    assert root.get("height") is None


def test_a_hidden_round_breaks_the_line_and_is_labelled():
    root = chart(series=[satisfied(72, 75, None, 78, 81, 79, 83, 86)])
    left, right, _, _ = plot(root)
    gap = left + 2.5 * (right - left) / len(LABELS)  # the centre of the third round's slot
    parts = find(root, "path", "line")
    assert len(parts) == 2
    assert [len(path_xs(p)) for p in parts] == [2, 5]
    assert all(not min(path_xs(p)) < gap < max(path_xs(p)) for p in parts)
    assert len(find(root, "circle", "marker")) == 7 + 1  # and one in the legend
    (note,) = find(root, "text", "missing")
    assert text_of(note) == MISSING
    assert float(note.get("x")) == pytest.approx(gap, abs=0.1)


def test_a_lone_value_between_gaps_is_a_marker_without_a_line():
    root = chart(labels=LABELS[:3], series=[satisfied(None, 70, None)])
    assert find(root, "path", "line") == []
    assert len(find(root, "circle", "marker")) == 2
    assert len(find(root, "text", "missing")) == 2


def test_note_shows_which_series_is_hidden_when_only_some_are():
    root = chart(labels=LABELS[:2], series=[satisfied(70, 72), transparency(60, None)])
    hollow = [e for e in root.iter() if e.get("class") == "marker" and e.get("fill") == "#ffffff"]
    assert [e.tag for e in hollow] == [SVG + "rect"]  # the square of transparency, not satisfaction's circle


def test_whiskers_span_the_interval_on_the_0_to_100_axis():
    root = chart(labels=["Forår", "Efterår"], series=[Series("Tilfredse", [Point(50, 40, 65), Point(90, 80, 100)])])
    whiskers = find(root, "g", "whisker")
    assert len(whiskers) == 2
    for whisker, (low, high) in zip(whiskers, [(40, 65), (80, 100)], strict=True):
        span = find(whisker, "line")[0]
        assert span.get("x1") == span.get("x2")
        assert float(span.get("y1")) == pytest.approx(y_of(root, low), abs=0.1)
        assert float(span.get("y2")) == pytest.approx(y_of(root, high), abs=0.1)
    low_marker, high_marker = find(root, "circle", "marker")[1:]
    assert float(high_marker.get("cy")) < float(low_marker.get("cy")) < y_of(root, 0)
    assert float(low_marker.get("cy")) == pytest.approx(y_of(root, 50), abs=0.1)


def test_no_whisker_without_an_interval():
    root = chart(labels=["Forår"], series=[Series("Tilfredse", [Point(50)])])
    assert find(root, "g", "whisker") == []
    assert len(find(root, "circle", "marker")) == 2


def test_series_differ_in_colour_dash_and_marker_shape():
    root = chart()
    blue, orange = find(root, "path", "line")[0], find(root, "path", "line")[-1]
    assert blue.get("stroke") != orange.get("stroke")
    assert blue.get("stroke-dasharray") != orange.get("stroke-dasharray")
    markers = [e for e in root.iter() if e.get("class") == "marker"]
    assert {e.tag for e in markers if e.get("fill") == blue.get("stroke")} == {SVG + "circle"}
    assert {e.tag for e in markers if e.get("fill") == orange.get("stroke")} == {SVG + "rect"}
    assert len([e for e in markers if e.get("fill") == blue.get("stroke")]) == 7 + 1  # and one in the legend


def test_whiskers_of_two_series_at_one_round_do_not_overlap():
    root = chart(labels=["Forår"], series=[satisfied(60), transparency(60)])
    first, second = (find(g, "line") for g in find(root, "g", "whisker"))
    assert float(first[1].get("x2")) < float(second[1].get("x1"))  # the caps lie side by side


def relative_luminance(colour):
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_text_contrast_on_white_meets_wcag_aa():
    root = chart()
    texts = [t for t in find(root, "text") if t.get("stroke") is None]  # not the white halos under values
    assert texts
    for text in texts:
        assert 1.05 / (relative_luminance(text.get("fill")) + 0.05) >= 4.5


def test_values_printed_with_the_callers_formatter():
    series = [Series("Tilfredse", [Point(72.5, 70.25, 75), Point(None)])]
    root = chart(labels=["Forår", "Efterår"], series=series, format_number=lambda v: f"{v:.1f}".replace(".", ","))
    assert [text_of(t) for t in find(root, "text", "value")] == ["72,5"]
    assert [text_of(t) for t in find(chart(labels=["Forår"], series=[satisfied(72.6)]), "text", "value")] == ["73"]


def extents(text, size):
    """The estimated horizontal extent of a text element from its anchor, font size and longest line."""
    x, width = float(text.get("x")), max(len(s.text) for s in find(text, "tspan")) * size * CHAR
    start = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor")]
    return start, start + width


def axis_labels(root):
    _, _, zero, _ = plot(root)
    return [t for t in find(root, "text") if float(t.get("y")) > zero + 10]  # below the tick label "0"


@pytest.mark.parametrize("width", [640, 480, 340])
def test_long_round_labels_do_not_overlap(width):
    root = chart(width=width)
    labels = axis_labels(root)
    spans = sorted(extents(t, 12) for t in labels)
    assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False))
    assert all("…" not in text_of(t) for t in labels)
    assert text_of(labels[-1]) == "Efterår 2026"  # the latest round is always labelled
    assert {text_of(t) for t in labels} <= set(LABELS)


def test_labels_wrap_into_lines_before_any_is_left_out():
    labels = axis_labels(chart())
    assert [text_of(t) for t in labels] == LABELS
    assert all(len(find(t, "tspan")) == 2 for t in labels)


def test_narrow_chart_leaves_every_other_label_and_the_values_out():
    root = chart(width=340)
    assert [text_of(t) for t in axis_labels(root)] == LABELS[1::2]
    assert find(root, "text", "value") == []
    assert len(find(root, "rect", "marker")) == 8 + 1


def coordinates(root):
    """Every (x, y) the chart draws at, with the estimated extent of its texts."""
    for e in root.iter():
        a = {k: float(v) for k, v in e.attrib.items() if k in {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r"}}
        if e.tag == SVG + "circle":
            yield from [(a["cx"] - a["r"], a["cy"] - a["r"]), (a["cx"] + a["r"], a["cy"] + a["r"])]
        elif e.tag == SVG + "rect":
            yield from [(a["x"], a["y"]), (a["x"] + float(e.get("width")), a["y"] + float(e.get("height")))]
        elif e.tag == SVG + "line":
            yield from [(a["x1"], a["y1"]), (a["x2"], a["y2"])]
        elif e.tag == SVG + "path":
            yield from ((float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", e.get("d")))
        elif e.tag == SVG + "text" and find(e, "tspan"):
            size = float(e.get("font-size"))
            lines = len(find(e, "tspan"))
            yield from [(x, y) for x in extents(e, size) for y in (a["y"] - size, a["y"] + (lines - 1) * 14 + 3)]


@pytest.mark.parametrize("width", [640, 340])
def test_everything_inside_the_view_box(width):
    series = [satisfied(95, None, 3, 50, 100, 0, 64, 1), transparency(None, 100, 0, None, 99, 2, None, 60)]
    root = chart(series=series, width=width)
    points = list(coordinates(root))
    assert len(points) > 100
    assert all(0 <= x <= width and 0 <= y <= 300 for x, y in points), [p for p in points if not 0 <= p[0] <= width]


def test_values_outside_0_to_100_stay_on_the_axis():
    root = chart(labels=["Forår"], series=[Series("Tilfredse", [Point(104, -3, 112)])])
    span = find(find(root, "g", "whisker")[0], "line")[0]
    assert float(span.get("y1")) == pytest.approx(y_of(root, 0), abs=0.1)
    assert float(span.get("y2")) == pytest.approx(y_of(root, 100), abs=0.1)


def test_points_must_match_the_labels():
    with pytest.raises(ValueError):
        trend_chart("T", ["Forår", "Efterår"], [satisfied(50)], missing_label=MISSING)
