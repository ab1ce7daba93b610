"""Build one target record (location, region, gazetteer, population) from one raw record."""

from __future__ import annotations

from shapely.geometry import MultiPolygon, Polygon
from shapely.validation import make_valid

from .address import split_address, split_street
from .fields import (
    Builder,
    Built,
    RowError,
    Surroundings,
    checked_text,
    collect,
    is_empty,
    kept_extra,
    position,
    required_text,
    text_or_none,
)
from .mapping import Mapping
from .offers import build_offer, checked_moment
from .records import RawRecord, RowWarning
from .targets import KIND_AREAS, GazetteerRecord, LocationRecord, PopulationRecord, RegionRecord
from .values import (
    TOTAL,
    BadValueError,
    clean_email,
    clean_url,
    normalize_area,
    normalize_code,
    normalize_kind,
    normalize_postcode,
    parse_bool,
    parse_int,
)

_BOOLS = ("step_free", "accessible_toilet", "parking", "induction_loop", "sign_language")
_TEXTS = (
    "street",
    "house_number",
    "city",
    "phone",
    "description",
    "opening_hours",
    "opening_hours_note",
    "accessibility_note",
    "organization",
)


def _fill_address(values: dict) -> None:
    """Split one-string address columns into the parts not mapped on their own."""
    whole = text_or_none(values.pop("address", None))
    if whole:
        parts = split_address(whole)
        for name in ("street", "house_number", "postcode", "city"):
            if is_empty(values.get(name)):
                values[name] = getattr(parts, name)
    combined = text_or_none(values.pop("street_and_number", None))
    if combined:
        street, number = split_street(combined)
        if is_empty(values.get("street")):
            values["street"] = street
        if is_empty(values.get("house_number")):
            values["house_number"] = number


def _areas(values: dict, kind: str | None, warnings: list[RowWarning]) -> list[str]:
    """Return the area codes; unknown ones are dropped; none given means the kind's areas."""
    areas = []
    for item in values.get("areas") or []:
        try:
            areas.append(normalize_area(str(item)))
        except BadValueError as problem:
            warnings.append(RowWarning("areas", f"{problem}; left out"))
    if not areas and kind:
        areas = list(KIND_AREAS[kind])
    return list(dict.fromkeys(areas))


def _postcode(value: str, warnings: list[RowWarning]) -> str:
    """Return a 5-digit postcode, repairing a lost leading zero with a warning."""
    postcode, note = normalize_postcode(value)
    if note:
        warnings.append(RowWarning("postcode", note))
    return postcode


def _code(value: str, warnings: list[RowWarning]) -> str:
    """Return an AGS code or reject the row."""
    try:
        code, note = normalize_code(value)
    except BadValueError as problem:
        raise RowError("code", str(problem)) from None
    if note:
        warnings.append(RowWarning("code", note))
    return code


def build_location(
    raw: RawRecord, mapping: Mapping, around: Surroundings, warnings: list[RowWarning]
) -> Built:
    """Build a LocationRecord; the key for duplicate detection is its external id."""
    values = collect(raw, mapping)
    _fill_address(values)
    name = required_text(values, "name")
    external_id = text_or_none(mapping.id.value(raw.data)) if mapping.id else None
    if external_id is None:
        raise RowError("id", f"the id ({mapping.id.text if mapping.id else '?'}) is empty")
    kind = text_or_none(values.get("kind"))
    if kind is not None:
        try:
            kind = normalize_kind(kind)
        except BadValueError as problem:
            raise RowError("kind", str(problem)) from None
    record = LocationRecord(external_id=external_id, name=name, kind=kind)
    record.areas = _areas(values, kind, warnings)
    point = position(values, raw, mapping.column_crs)
    if point is not None:
        record.lon, record.lat = around.place(point[0], point[1], warnings)
    for field_name in _TEXTS:
        setattr(record, field_name, text_or_none(values.get(field_name)))
    record.postcode = checked_text(values, "postcode", lambda v: _postcode(v, warnings), warnings)
    record.email = checked_text(values, "email", clean_email, warnings)
    record.website = checked_text(values, "website", clean_url, warnings)
    record.languages = list(
        dict.fromkeys(str(v).strip().lower() for v in values.get("languages") or [])
    )
    for field_name in _BOOLS:
        try:
            setattr(record, field_name, parse_bool(values.get(field_name)))
        except BadValueError as problem:
            warnings.append(RowWarning(field_name, f"{problem}; left as unknown"))
    record.checked_at = checked_moment(values, warnings)
    record.extra = kept_extra(raw, mapping)
    return record, external_id


def build_region(
    raw: RawRecord, mapping: Mapping, around: Surroundings, warnings: list[RowWarning]
) -> Built:
    """Build a RegionRecord with a valid MultiPolygon outline."""
    values = collect(raw, mapping)
    code = _code(required_text(values, "code"), warnings)
    geometry = raw.geometry
    if not isinstance(geometry, Polygon | MultiPolygon):
        found = type(geometry).__name__ if geometry is not None else "no geometry"
        raise RowError("geometry", f"a region needs a polygon outline, found {found}")
    if not geometry.is_valid:
        geometry = make_valid(geometry)
        polygons = [
            g
            for g in getattr(geometry, "geoms", [geometry])
            if isinstance(g, Polygon | MultiPolygon)
        ]
        geometry = MultiPolygon([p for g in polygons for p in getattr(g, "geoms", [g])])
        warnings.append(RowWarning("geometry", "the outline crossed itself and was repaired"))
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    record = RegionRecord(code=code, name=required_text(values, "name"), geometry=geometry)
    record.kind = text_or_none(values.get("kind"))
    record.extra = kept_extra(raw, mapping)
    return record, code


def build_gazetteer(
    raw: RawRecord, mapping: Mapping, around: Surroundings, warnings: list[RowWarning]
) -> Built:
    """Build a GazetteerRecord; postcodes repeat, so there is no duplicate key."""
    values = collect(raw, mapping)
    try:
        postcode = _postcode(required_text(values, "postcode"), warnings)
    except BadValueError as problem:
        raise RowError("postcode", str(problem)) from None
    point = position(values, raw, mapping.column_crs)
    if point is None:
        raise RowError("lat", "coordinates are missing")
    # A gazetteer covers all of Germany, whatever the installation's region.
    point = _GERMANY.place(point[0], point[1], warnings)
    record = GazetteerRecord(postcode, required_text(values, "place"), point[0], point[1])
    record.community_code = text_or_none(values.get("community_code"))
    record.extra = kept_extra(raw, mapping)
    return record, None


def build_population(
    raw: RawRecord, mapping: Mapping, around: Surroundings, warnings: list[RowWarning]
) -> Built:
    """Build a PopulationRecord keyed by its AGS, with the total and the age groups."""
    values = collect(raw, mapping)
    total = _figure(values.get("population"), "population")
    groups = {}
    for group, expression in mapping.age_groups.items():
        cell = expression.value(raw.data)
        if mapping.missing and text_or_none(cell) in mapping.missing:
            continue
        figure = _figure(cell, expression.text)
        if figure is not None:
            groups[group] = figure
    total = groups.pop(TOTAL, total)
    if total is None and not groups:
        # No figure at all: a footnote or an empty row, not a region without inhabitants.
        return PopulationRecord(text_or_none(values.get("code")) or "", None), None
    code = _code(required_text(values, "code"), warnings)
    name = text_or_none(values.get("name"))
    return PopulationRecord(code, total, name, kept_extra(raw, mapping), groups), code


def _figure(value, where: str) -> int | None:
    """Return a number of inhabitants, None for an empty cell; reject anything else."""
    if is_empty(text_or_none(value)):
        return None
    try:
        figure = parse_int(value)
    except BadValueError as problem:
        raise RowError(where, str(problem)) from None
    if figure < 0:
        raise RowError(where, f"population {figure} is negative")
    return figure


_GERMANY = Surroundings()

BUILDERS: dict[str, Builder] = {
    "location": build_location,
    "offer": build_offer,
    "region": build_region,
    "gazetteer": build_gazetteer,
    "population": build_population,
}
