"""Server-side SVG charts of the indicators: a choropleth of the Gemeinden and a bar chart.

The same SVG goes into the web pages (inline, no JavaScript) and into the PDF (WeasyPrint
draws SVG itself). It is built with ElementTree, which escapes every name and value taken
from imported files. Each chart is an image with a title and a description for screen
readers; the pages and the report put a table of the same figures beside it.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET  # noqa: N817  (the usual short name)
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .classes import OUTLINE, Breaks, class_breaks
from .numbers import number

__all__ = [
    "BarRow",
    "Shape",
    "bar_chart_svg",
    "choropleth_svg",
    "class_breaks",
    "reach_map_svg",
    "shapes_from",
]

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
TEXT = "#1a1a1a"
BAR = "#2c7fb8"  # 4.3:1 against white
COMPARE = "#767676"  # 4.5:1 against white
HATCH = "#595959"
LEGEND_WIDTH = 220
CHAR_WIDTH = 7.2  # average advance of DejaVu Sans at 12 px, to size the column of names
NAME_COLUMN = 240
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML


@dataclass(frozen=True)
class Shape:
    """A Gemeinde's outline: code, name and a GeoJSON Polygon or MultiPolygon in lon/lat."""

    code: str
    name: str
    geometry: Mapping


@dataclass(frozen=True)
class BarRow:
    """One bar: a Gemeinde's value, whether it is estimated, and its value at the other date."""

    name: str
    value: float | None
    estimated: bool = False
    compare: float | None = None
    code: str = ""


def shapes_from(features: Iterable[Mapping], code: str = "code", name: str = "name") -> list[Shape]:
    """Turn GeoJSON features (e.g. region_shapes(), or BKG files with AGS/GEN) into shapes."""
    return [
        Shape(str(f["properties"][code]), str(f["properties"][name]), f["geometry"])
        for f in features
        if f.get("geometry")
    ]


def _clean(value: object) -> str:
    """Return text safe for XML: characters XML cannot hold are dropped."""
    return CONTROL.sub("", str(value))


def _add(parent: ET.Element, tag: str, text: object = None, **attributes: object) -> ET.Element:
    """Append an element; attribute names like font_size become font-size, class_ class."""
    element = ET.SubElement(
        parent,
        tag,
        {
            name.rstrip("_").replace("_", "-"): _clean(value)
            for name, value in attributes.items()
            if value is not None
        },
    )
    if text is not None:
        element.text = _clean(text)
    return element


def _svg(width: float, height: float, title: str, description: str, ident: str) -> ET.Element:
    """Start an accessible SVG image with its title and description."""
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width:.0f} {height:.0f}",
            "width": f"{width:.0f}",
            "height": f"{height:.0f}",
            "role": "img",
            "aria-labelledby": f"{ident}-title {ident}-desc",
            "font-family": FONT,
            "font-size": "12",
            "direction": "ltr",  # maps and charts read left to right, also on Arabic pages
            "class": "chart",
        },
    )
    _add(root, "title", title, id=f"{ident}-title")
    _add(root, "desc", description, id=f"{ident}-desc")
    return root


def _markup(root: ET.Element) -> Markup:
    """Serialise an SVG tree for inline use in HTML."""
    return Markup(ET.tostring(root, encoding="unicode"))  # noqa: S704  (escaped by ElementTree)


def _value_text(value: float | None, unit: str, decimals: int, locale: str | None) -> str:
    """Return a value with its unit for tooltips ("1,23 je 1.000 Einw.", "keine Angabe")."""
    if value is None:
        return str(_l("keine Angabe"))
    return f"{number(value, decimals, locale)} {unit}".strip()


class Projection:
    """Equirectangular projection, x scaled by cos(mean latitude), fitted into a box."""

    def __init__(self, shapes: Sequence[Shape], width: float, max_height: float):
        points = [p for s in shapes for ring in _rings(s.geometry) for p in ring]
        lons = [p[0] for p in points] or [0.0]
        lats = [p[1] for p in points] or [0.0]
        self.west, self.north = min(lons), max(lats)
        self.kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
        extent_x = max((max(lons) - self.west) * self.kx, 1e-9)
        extent_y = max(self.north - min(lats), 1e-9)
        self.scale = min(width / extent_x, max_height / extent_y)
        self.width, self.height = extent_x * self.scale, extent_y * self.scale

    def path(self, geometry: Mapping, margin: float) -> str:
        """Return SVG path data of a polygon or multipolygon (rings closed, 0.1 units)."""
        parts = []
        for ring in _rings(geometry):
            points: list[str] = []
            for lon, lat, *_ in ring:
                x = (lon - self.west) * self.kx * self.scale + margin
                y = (self.north - lat) * self.scale + margin
                point = f"{x:.1f},{y:.1f}"
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) >= 3:
                parts.append("M" + "L".join(points) + "Z")
        return "".join(parts)


def _rings(geometry: Mapping) -> list[list]:
    """Return the rings of a GeoJSON Polygon or MultiPolygon (other types: none)."""
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def _hatch(defs: ET.Element, ident: str) -> str:
    """Define the hatching of "keine Angabe" and return its fill reference."""
    pattern = _add(
        defs, "pattern", id=f"{ident}-none", width=6, height=6, patternUnits="userSpaceOnUse"
    )
    _add(pattern, "rect", width=6, height=6, fill="#ffffff")
    _add(pattern, "path", d="M0,6L6,0M-1,1L1,-1M5,7L7,5", stroke=HATCH, stroke_width=1.2)
    return f"url(#{ident}-none)"


def choropleth_svg(
    shapes: Sequence[Shape],
    values: Mapping[str, float | None],
    breaks: Breaks,
    title: str,
    *,
    unit: str = "",
    decimals: int = 2,
    estimated: Collection[str] = (),
    description: str | None = None,
    ident: str = "map",
    locale: str | None = None,
    width: int = 600,
) -> Markup:
    """Draw the Gemeinden filled by class of their value, with a legend, as inline SVG."""
    margin = 4
    projection = Projection(shapes, width - LEGEND_WIDTH - 2 * margin, 520)
    legend_items = len(breaks.classes) + 2
    height = max(projection.height + 2 * margin, 28 + 24 * legend_items)
    shown = [values.get(s.code) for s in shapes]
    if description is None:
        description = _map_description(shown, unit, decimals, locale)
    root = _svg(width, height, title, description, ident)
    none_fill = _hatch(_add(root, "defs"), ident)
    areas = _add(root, "g", stroke=OUTLINE, stroke_width=0.8, stroke_linejoin="round")
    for shape, value in zip(shapes, shown, strict=True):
        marker = " (" + str(_l("geschätzt")) + ")" if shape.code in estimated else ""
        path = _add(
            areas,
            "path",
            d=projection.path(shape.geometry, margin),
            fill=breaks.fill(value) or none_fill,
            fill_rule="evenodd",
        )
        _add(path, "title", f"{shape.name}: {_value_text(value, unit, decimals, locale)}{marker}")
    missing = any(v is None for v in shown) or not breaks.classes
    x = width - LEGEND_WIDTH + 12
    _legend(root, breaks, unit, none_fill if missing else None, x, bool(estimated))
    return _markup(root)


def _map_description(shown: list, unit: str, decimals: int, locale: str | None) -> str:
    """Describe a map in words: how many Gemeinden, the range of values, how many without."""
    present = [v for v in shown if v is not None]
    text = str(_l("Karte der %(count)s Gemeinden.", count=len(shown)))
    if present:
        text += " " + str(
            _l(
                "Werte von %(low)s bis %(high)s %(unit)s.",
                low=number(min(present), decimals, locale),
                high=number(max(present), decimals, locale),
                unit=unit,
            )
        )
    if len(present) < len(shown):
        text += " " + str(_l("Ohne Angabe: %(count)s.", count=len(shown) - len(present)))
    return text


def _legend(
    root: ET.Element, breaks: Breaks, unit: str, none_fill: str | None, x: float, estimated
) -> None:
    """Draw the legend: unit, a swatch per class, "keine Angabe" if any, the estimate marker."""
    legend = _add(root, "g", class_="legend", fill=TEXT, font_size=14)
    _add(legend, "text", unit, x=x, y=16, font_weight="bold")
    items = [(c.label, c.fill) for c in breaks.classes]
    if none_fill:
        items.append((breaks.missing_label, none_fill))
    for row, (label, fill) in enumerate(items):
        y = 28 + 24 * row
        _add(legend, "rect", x=x, y=y, width=18, height=18, fill=fill, stroke=OUTLINE)
        _add(legend, "text", label, x=x + 26, y=y + 14)
    if estimated:
        note = str(_l("Werte teils geschätzt (siehe Tabelle)"))
        _add(legend, "text", note, x=x, y=28 + 24 * len(items) + 14, font_size=11)


def bar_chart_svg(
    rows: Sequence[BarRow],
    title: str,
    unit: str,
    *,
    decimals: int = 2,
    current_label: str | None = None,
    compare_label: str | None = None,
    description: str | None = None,
    ident: str = "bars",
    locale: str | None = None,
    width: int = 640,
) -> Markup:
    """Draw one horizontal bar per Gemeinde, largest first, values labelled, as inline SVG."""
    ordered = sorted(rows, key=lambda r: (r.value is None, -(r.value or 0), r.name.casefold()))
    comparing = compare_label is not None and any(r.compare is not None for r in rows)
    name_width = min(NAME_COLUMN, 12 + CHAR_WIDTH * max((len(r.name) for r in rows), default=4))
    bar_width = width - name_width - 90
    top = 26 if comparing else 6
    step = 26 if comparing else 19
    notes = [str(_l("* geschätzt"))] if any(r.estimated for r in rows) else []
    height = top + step * len(ordered) + 8 + 16 * len(notes)
    largest = max(
        [r.value or 0 for r in rows] + [r.compare or 0 for r in rows if comparing], default=0
    )
    scale = bar_width / largest if largest > 0 else 0
    if description is None:
        description = _bars_description(ordered, unit, decimals, locale)
    root = _svg(width, height, title, description, ident)
    if comparing:
        _bar_key(root, name_width, current_label or "", compare_label or "")
    chart = _add(root, "g", fill=TEXT)
    for position, row in enumerate(ordered):
        y = top + step * position
        group = _add(chart, "g")
        _add(group, "title", _bar_title(row, unit, decimals, locale, compare_label, comparing))
        label = _fitted(row.name, name_width - 12)
        _add(group, "text", label, x=name_width - 6, y=y + 12, text_anchor="end")
        length = (row.value or 0) * scale
        if row.value is not None:
            _add(group, "rect", x=name_width, y=y + 2, width=f"{length:.1f}", height=12, fill=BAR)
        if comparing and row.compare is not None:
            width_then = f"{row.compare * scale:.1f}"
            _add(group, "rect", x=name_width, y=y + 16, width=width_then, height=6, fill=COMPARE)
        text = _value_text(row.value, "", decimals, locale) + ("*" if row.estimated else "")
        _add(group, "text", text, x=name_width + length + 4, y=y + 12)
    bottom = top + step * len(ordered)
    _add(root, "line", x1=name_width, y1=top, x2=name_width, y2=bottom, stroke=TEXT)
    for index, note in enumerate(notes):
        _add(root, "text", note, x=0, y=bottom + 18 + 16 * index, font_size=10, fill=TEXT)
    return _markup(root)


def _fitted(name: str, room: float) -> str:
    """Shorten a name with "…" to fit a width (the tooltip keeps it whole)."""
    fits = int(room / CHAR_WIDTH)
    return name if len(name) <= fits else name[: max(fits - 1, 1)] + "…"


def _bar_key(root: ET.Element, x: float, current: str, compare: str) -> None:
    """Explain the two bars of a comparison above the chart."""
    key = _add(root, "g", class_="legend", fill=TEXT, font_size=11)
    _add(key, "rect", x=x, y=6, width=12, height=12, fill=BAR)
    _add(key, "text", current, x=x + 16, y=16)
    offset = x + 40 + 7 * len(current)
    _add(key, "rect", x=offset, y=9, width=12, height=6, fill=COMPARE)
    _add(key, "text", compare, x=offset + 16, y=16)


def _bar_title(row: BarRow, unit, decimals, locale, compare_label, comparing) -> str:
    """Return a bar's tooltip: name, value (geschätzt), value at the comparison date."""
    text = f"{row.name}: {_value_text(row.value, unit, decimals, locale)}"
    if row.estimated:
        text += " (" + str(_l("geschätzt")) + ")"
    if comparing:
        text += f"; {compare_label}: {_value_text(row.compare, unit, decimals, locale)}"
    return text


def _bars_description(ordered: Sequence[BarRow], unit, decimals, locale) -> str:
    """Describe a bar chart in words: how many Gemeinden, highest and lowest."""
    present = [r for r in ordered if r.value is not None]
    text = str(_l("Balkendiagramm der %(count)s Gemeinden.", count=len(ordered)))
    if present:
        text += " " + str(
            _l(
                "Höchster Wert: %(high)s, niedrigster: %(low)s.",
                high=f"{present[0].name} {_value_text(present[0].value, unit, decimals, locale)}",
                low=f"{present[-1].name} {_value_text(present[-1].value, unit, decimals, locale)}",
            )
        )
    return text


def reach_map_svg(
    layer: Mapping,
    outlines: Sequence[Shape],
    title: str,
    *,
    description: str,
    labels: Sequence[str],
    ident: str = "reach",
    width: int = 600,
) -> Markup:
    """Draw a reachability layer: grid cells coloured by travel time, Gemeinde outlines on top.

    layer is the GeoJSON of monitoring.reach_layer (cells with a "class" property and its
    legend); the cells carry no tooltips (thousands of them), the description sums them up
    and the page's table gives the figures per Gemeinde.
    """
    margin = 4
    cells = [Shape(str(n), "", f["geometry"]) for n, f in enumerate(layer["features"])]
    projection = Projection([*outlines, *cells], width - LEGEND_WIDTH - 2 * margin, 520)
    legend = layer.get("legend", [])
    height = max(projection.height + 2 * margin, 28 + 24 * (len(legend) + 1))
    root = _svg(width, height, title, description, ident)
    colours = {entry["class"]: entry["colour"] for entry in legend}
    by_class: dict[int, list[str]] = {}
    for feature, cell in zip(layer["features"], cells, strict=True):
        klass = feature["properties"].get("class")
        by_class.setdefault(klass, []).append(projection.path(cell.geometry, margin))
    drawn = _add(root, "g", stroke="none")
    for klass, paths in sorted(by_class.items(), key=lambda kv: kv[0]):
        _add(drawn, "path", d="".join(paths), fill=colours.get(klass, "#ffffff"))
    lines = _add(root, "g", fill="none", stroke=OUTLINE, stroke_width=0.8)
    for shape in outlines:
        path = _add(lines, "path", d=projection.path(shape.geometry, margin))
        _add(path, "title", shape.name)
    box = _add(root, "g", class_="legend", fill=TEXT, font_size=14)
    x = width - LEGEND_WIDTH + 12
    _add(box, "text", str(_l("Reisezeit")), x=x, y=16, font_weight="bold")
    for row, (entry, label) in enumerate(zip(legend, labels, strict=True)):
        y = 28 + 24 * row
        _add(box, "rect", x=x, y=y, width=18, height=18, fill=entry["colour"], stroke=OUTLINE)
        _add(box, "text", label, x=x + 26, y=y + 14)
    return _markup(root)
