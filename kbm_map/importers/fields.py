"""Gather field values of one row: columns, translations, flags, defaults, coordinates."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from .crs import GERMANY_BBOX, WGS84, in_bbox, to_wgs84
from .mapping import EMPTY, KEEP, REJECT, FieldRule, Mapping
from .records import RawRecord, RowWarning
from .targets import TARGETS
from .values import BadValueError, is_flag_set, parse_number, text

_LIST_SPLIT = re.compile(r"\s*[;,|]\s*")


class RowError(Exception):
    """A row that cannot be imported; becomes a Rejection."""

    def __init__(self, field: str | None, reason: str):
        """Remember which field made the row fail, and why."""
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass
class Surroundings:
    """Where locations may lie: Germany, and optionally the region's box and outline."""

    bbox: tuple[float, float, float, float] | None = None
    area: BaseGeometry | None = None

    def __post_init__(self) -> None:
        """Prepare the outline for fast point tests and take its bounds as the box if none."""
        if self.area is not None:
            shapely.prepare(self.area)  # many point-in-polygon tests follow
            self.bbox = self.bbox or tuple(self.area.bounds)

    def contains(self, lon: float, lat: float) -> bool:
        """Tell whether a point lies in Germany and in the region."""
        if not in_bbox(lon, lat, GERMANY_BBOX):
            return False
        if self.bbox and not in_bbox(lon, lat, self.bbox):
            return False
        return self.area is None or bool(shapely.intersects_xy(self.area, lon, lat))

    def place(self, lon: float, lat: float, warnings: list[RowWarning]) -> tuple[float, float]:
        """Return the checked point, swapped if the file swapped latitude and longitude."""
        if self.contains(lon, lat):
            return lon, lat
        if self.contains(lat, lon):
            warnings.append(
                RowWarning("lat", f"latitude and longitude were swapped ({lon}, {lat}); corrected")
            )
            return lat, lon
        where = f"({lon}, {lat})"
        if not in_bbox(lon, lat, GERMANY_BBOX):
            raise RowError("lat", f"coordinates {where} lie outside Germany")
        if self.bbox and not in_bbox(lon, lat, self.bbox):
            box = ", ".join(f"{v:.4f}" for v in self.bbox)
            raise RowError("lat", f"coordinates {where} lie outside the region (bbox {box})")
        raise RowError("lat", f"coordinates {where} lie outside the region's boundary")


def _pick(rule: FieldRule, data: dict[str, Any]) -> Any:
    """Return the first non-empty source value of a rule."""
    for source in rule.sources:
        value = source.value(data)
        if value is not None and (not isinstance(value, str) or value.strip()):
            return value
    return None


def _translate(rule: FieldRule, value: Any) -> Any:
    """Apply the rule's translation table to one value."""
    if rule.translate is None:
        return value
    key = text(value).casefold()
    if key in rule.translate:
        return rule.translate[key]
    if key == "":
        return None
    if rule.otherwise == KEEP:
        return value
    if rule.otherwise == EMPTY:
        return None
    if rule.otherwise == REJECT:
        raise RowError(
            rule.field, f"value {text(value)!r} is not listed under translate in the mapping"
        )
    return rule.otherwise


def _single_column(rule: FieldRule) -> str | None:
    """Return the column of a rule that reads exactly one column, else None."""
    if len(rule.sources) == 1 and not rule.sources[0].is_template and rule.sources[0].columns:
        return rule.sources[0].columns[0]
    return None


Plan = list[tuple[str, FieldRule, str | None, bool]]
_PLANS: dict[int, tuple[Mapping, Plan]] = {}


def _rules(mapping: Mapping) -> Plan:
    """Return (field, rule, single column or None, is a list) per rule, once per mapping."""
    found = _PLANS.get(id(mapping))
    if found is None or found[0] is not mapping:
        if len(_PLANS) > 64:
            _PLANS.clear()
        fields = TARGETS[mapping.target]
        plan = [
            (name, rule, _single_column(rule), fields[name] is list)
            for name, rule in mapping.rules.items()
        ]
        found = _PLANS[id(mapping)] = (mapping, plan)
    return found[1]


def collect(raw: RawRecord, mapping: Mapping) -> dict[str, Any]:
    """Gather field values from columns, flags and defaults (before typing and checks)."""
    fields = TARGETS[mapping.target]
    data = raw.data
    values: dict[str, Any] = {}
    for name, rule, column, is_list in _rules(mapping):
        # This runs for every field of every row: one plain column is read directly.
        if column is not None:
            value = data.get(column)
            if value == "" or (type(value) is str and not value.strip()):
                value = None
        else:
            value = _pick(rule, data)
        if mapping.missing and text(value) in mapping.missing:
            value = None
        if is_list:
            items = value if isinstance(value, list) else _split(value, rule.separator)
            if rule.translate is not None:
                items = _flat([_translate(rule, item) for item in items])
            values[name] = items
        else:
            values[name] = value if rule.translate is None else _translate(rule, value)
    for name, pairs in mapping.flags.items():
        hits = [target for column, target in pairs if is_flag_set(raw.data.get(column))]
        if fields[name] is list:
            values[name] = list(dict.fromkeys([*(values.get(name) or []), *_flat(hits)]))
        elif hits and is_empty(values.get(name)):
            values[name] = hits[0]  # the first flag listed in the mapping wins
    for name, value in mapping.defaults.items():
        if is_empty(values.get(name)):
            values[name] = list(value) if isinstance(value, list) else value
    return values


def _split(value: Any, separator: str | None) -> list[Any]:
    """Split a cell holding several values ('de; en', 'de, en')."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if not isinstance(value, str):
        return [value]
    if not separator and ";" not in value and "," not in value and "|" not in value:
        return [value.strip()]  # one value, the common case
    parts = value.split(separator) if separator else _LIST_SPLIT.split(value)
    return [p.strip() for p in parts if p.strip()]


def _flat(items: list[Any]) -> list[Any]:
    """Flatten translated items (a translation may give a list) and drop empty ones."""
    out: list[Any] = []
    for item in items:
        out.extend(item if isinstance(item, list) else [item])
    return [i for i in out if not is_empty(i)]


def is_empty(value: Any) -> bool:
    """Tell whether a value counts as not given."""
    return value is None or value == "" or value == []


def text_or_none(value: Any) -> str | None:
    """Return text or None."""
    return text(value) or None


def required_text(values: dict, name: str) -> str:
    """Return a required text field or reject the row."""
    value = text_or_none(values.get(name))
    if value is None:
        raise RowError(name, f"{name} is empty; every row needs one")
    return value


def checked_text(values: dict, name: str, clean, warnings: list[RowWarning]) -> str | None:
    """Return a cleaned value, or None with a warning if it has the wrong shape."""
    value = text_or_none(values.get(name))
    if value is None:
        return None
    try:
        return clean(value)
    except BadValueError as problem:
        warnings.append(RowWarning(name, f"{problem}; left out"))
        return None


def position(values: dict[str, Any], raw: RawRecord, crs: str) -> tuple[float, float] | None:
    """Return (lon, lat) in WGS84 from the coordinate columns, or else from the geometry."""
    lon, lat = values.get("lon"), values.get("lat")
    if is_empty(text(lon)) and is_empty(text(lat)):
        return raw.geometry if isinstance(raw.geometry, tuple) else None
    if is_empty(text(lon)) or is_empty(text(lat)):
        missing = "lon" if is_empty(text(lon)) else "lat"
        raise RowError(missing, "only one of the two coordinates is given")
    try:
        x = parse_number(lon)
    except BadValueError as problem:
        raise RowError("lon", f"coordinate {problem}") from None
    try:
        y = parse_number(lat)
    except BadValueError as problem:
        raise RowError("lat", f"coordinate {problem}") from None
    return to_wgs84(x, y, crs) if crs != WGS84 else (x, y)


def kept_extra(raw: RawRecord, mapping: Mapping) -> dict[str, Any]:
    """Return the values the mapping keeps under [extra], leaving out empty ones."""
    kept: dict[str, Any] = {}
    fields = TARGETS[mapping.target]
    for name, pairs in mapping.flags.items():
        hits = [target for column, target in pairs if is_flag_set(raw.data.get(column))]
        if fields[name] is not list and len(hits) > 1:
            kept[f"{name}_flags"] = hits  # only the first gave the field; keep what else was ticked
    for key, expression in mapping.extra.items():
        value = expression.value(raw.data)
        if not is_empty(value if not isinstance(value, str) else value.strip()):
            kept[key] = value.strip() if isinstance(value, str) else value
    return kept


Built = tuple[Any, str | None]
Builder = Callable[[RawRecord, Mapping, Surroundings, list[RowWarning]], Built]
