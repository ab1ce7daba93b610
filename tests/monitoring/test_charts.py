"""Choropleth classes and the SVG charts: classes that make sense, well-formed escaped SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kbm_map.monitoring.charts import BarRow, Shape, bar_chart_svg, choropleth_svg, class_breaks
from kbm_map.monitoring.classes import OUTLINE, PALETTE

from .fulda_report import fulda_shapes

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"
SQUARE = {"type": "Polygon", "coordinates": [[[9.6, 50.5], [9.7, 50.5], [9.7, 50.6], [9.6, 50.5]]]}


def labels(values, classes=5):
    """Return the legend labels of the classes of some values."""
    return [c.label for c in class_breaks(values, classes).classes]


def test_quantile_classes_are_round_and_cover_every_value():
    values = [0.52, 0.9, 1.1, 1.4, 1.9, 2.2, 2.6, 3.2, 0.7, 1.6]  # quantiles 0,86 1,28 1,72 2,28
    breaks = class_breaks(values)
    assert labels(values) == [
        "unter 0,9",
        "0,9 bis unter 1,3",
        "1,3 bis unter 1,7",
        "1,7 bis unter 2,3",
        "2,3 und mehr",
    ]
    assert sorted({breaks.index(v) for v in values}) == [0, 1, 2, 3, 4]


def test_all_equal_values_make_one_class():
    assert labels([2, 2, 2]) == ["2"]
    assert labels([0.0, 0.0]) == ["0"]


def test_fewer_distinct_values_than_classes_get_one_class_each():
    assert labels([1, 3, 3, 7]) == ["1", "3", "7"]
    assert labels([0.25, 0.5]) == ["0,25", "0,50"]


def test_many_zeros_get_a_class_of_their_own():
    values = [0] * 15 + [1, 2, 3, 5, 8, 13]
    breaks = class_breaks(values)
    assert labels(values) == ["0", "1", "2–3", "4–6", "7 und mehr"]
    assert breaks.index(0) == 0 and breaks.index(1) == 1 and breaks.index(13) == 4


def test_small_ratios_never_give_an_empty_label():
    values = [0, 0, 0, 0.01, 0.02, 0.05, 0.07, 0.3]
    breaks = class_breaks(values)
    assert labels(values) == [
        "0",
        "über 0 bis unter 0,02",
        "0,02 bis unter 0,05",
        "0,05 bis unter 0,07",
        "0,07 und mehr",
    ]
    assert {breaks.index(v) for v in values} == set(range(5))  # no class is empty


def test_missing_values_fall_in_no_class():
    breaks = class_breaks([None, 1.5, None, 2.5])
    assert breaks.index(None) is None and breaks.fill(None) is None
    assert class_breaks([None, None]).classes == ()


def test_labels_follow_the_locale():
    assert [c.label for c in class_breaks([1000.5, 2000.5], locale="en").classes] == [
        "1,000.50",
        "2,000.50",
    ]


def test_class_count_is_checked():
    with pytest.raises(ValueError, match="between 1 and 5"):
        class_breaks([1, 2], classes=9)


def contrast(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two #rrggbb colours."""

    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_fill_contrasts_with_the_outlines():
    assert min(contrast(fill, OUTLINE) for fill in PALETTE) >= 3


def parse(svg) -> ET.Element:
    """Parse an SVG string (fails on anything not well-formed)."""
    return ET.fromstring(str(svg))


@pytest.mark.shared_data
def test_choropleth_of_the_fulda_gemeinden(shared_data):
    shapes = fulda_shapes(shared_data)
    values = {s.code: position / 10 for position, s in enumerate(shapes)}
    values[shapes[0].code] = None
    svg = choropleth_svg(
        shapes, values, class_breaks(values.values()), "Lernorte je 1.000", unit="je 1.000 Einw."
    )
    root = parse(svg)
    paths = root.findall(f"{SVG}g/{SVG}path")
    assert len(paths) == 23
    titles = [p.find(f"{SVG}title").text for p in paths]
    assert "Fulda: 0,80 je 1.000 Einw." in titles
    assert f"{shapes[0].name}: keine Angabe" in titles
    assert paths[0].get("fill") == "url(#map-none)"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Lernorte je 1.000"
    assert "Karte der 23 Gemeinden" in root.find(f"{SVG}desc").text
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert "keine Angabe" in legend and "je 1.000 Einw." in legend


def test_names_from_files_are_escaped():
    shapes = [Shape("1", EVIL, SQUARE), Shape("2", 'A "&" B', SQUARE)]
    svg = choropleth_svg(shapes, {"1": 1.0, "2": 2.0}, class_breaks([1.0, 2.0]), EVIL)
    bars = bar_chart_svg([BarRow(EVIL, 1.0)], EVIL, "Anzahl", decimals=0)
    for chart in (svg, bars):
        assert "<script>" not in chart
        assert "&lt;script&gt;" in chart
        root = parse(chart)
        assert root.find(f"{SVG}script") is None
        assert root.find(f"{SVG}title").text == EVIL


def test_bar_chart_sorts_marks_estimates_and_compares():
    rows = [
        BarRow("Hilders", 0.5),
        BarRow("Fulda", 2.25, estimated=True, compare=2.0),
        BarRow("Nüsttal", None),
        BarRow("Künzell", 1.0, compare=1.5),
    ]
    svg = bar_chart_svg(
        rows, "Kitas je 1.000", "je 1.000", current_label="2026", compare_label="2025"
    )
    root = parse(svg)
    names = [g.find(f"{SVG}text").text for g in root.findall(f"{SVG}g/{SVG}g")]
    assert names == ["Fulda", "Künzell", "Hilders", "Nüsttal"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "2,25*" in texts and "keine Angabe" in texts and "* geschätzt" in texts
    assert "2025" in texts
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert "Fulda: 2,25 je 1.000 (geschätzt); 2025: 2,00 je 1.000" in tooltips
    assert len(root.findall(f".//{SVG}rect[@height='6']")) == 3  # two bars then, one key
