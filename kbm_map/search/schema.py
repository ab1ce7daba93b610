"""The Whoosh schema and the conversion of service-layer documents into index fields.

Text goes into Whoosh fields; everything used for filters, facets and sorting goes into one
pickled column ("row") that is loaded into numpy arrays once per segment (see columns.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from whoosh import columns, fields, formats

from kbm_map.search.analysis import gram_analyzer, spell_analyzer, text_analyzer
from kbm_map.search.query import FacetLayout

# Relative weights of the stemmed fields; the n-gram and fuzzy fields score far below them.
FIELD_BOOSTS = {"title": 3.0, "tags": 1.5, "description": 1.0}


class Row(NamedTuple):
    """The non-text part of a document, as stored in the "row" column."""

    terms: tuple[tuple[str, ...], ...]  # one tuple of codes per list facet, in layout order
    flags: tuple[bool, ...]  # one per flag facet, in layout order
    min_age: int | None
    max_age: int | None
    dates: tuple[int, ...]  # proleptic Gregorian ordinals of the sessions
    start: int | None  # ordinal; a period when there are no single sessions
    end: int | None
    lon: float | None
    lat: float | None
    name_sort: str


def build_schema() -> fields.Schema:
    """Return the Whoosh schema of the search index."""
    text = text_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=text, phrase=False, stored=True),
        description=fields.TEXT(analyzer=text, phrase=False, stored=True),
        tags=fields.TEXT(analyzer=text, phrase=False),
        # Existence format: these fields only decide whether a word matches. Scorable only
        # because Whoosh 2.7.4 stats the disk for every posting of a field without lengths
        # while it writes a segment (over a quarter of the build time).
        grams=fields.FieldType(formats.Existence(), gram_analyzer(), scorable=True),
        spell=fields.FieldType(formats.Existence(), spell_analyzer(), scorable=True),
        row=fields.COLUMN(columns.PickleColumn(columns.VarBytesColumn())),
    )


def _ordinal(value: str | dt.date | None) -> int | None:
    """Return the ordinal of an ISO date string or date, None for None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.toordinal()


def _codes(values: Iterable[Any] | None) -> tuple[str, ...]:
    """Return a tuple of the non-empty values as strings."""
    return tuple(str(v) for v in values or () if v not in (None, ""))


def _optional_float(value: Any) -> float | None:
    """Return a float or None."""
    return None if value is None or value == "" else float(value)


def _optional_int(value: Any) -> int | None:
    """Return an int or None."""
    return None if value is None or value == "" else int(value)


def to_row(doc: Mapping[str, Any], layout: FacetLayout) -> Row:
    """Return the filter/facet/sort values of a document."""
    dates = sorted({d for d in map(_ordinal, doc.get("dates") or ()) if d is not None})
    terms, flags = doc.get("terms") or {}, doc.get("flags") or {}
    return Row(
        terms=tuple(_codes(terms.get(name)) for name in layout.lists),
        flags=tuple(bool(flags.get(name)) for name in layout.flags),
        min_age=_optional_int(doc.get("min_age")),
        max_age=_optional_int(doc.get("max_age")),
        dates=tuple(dates),
        start=_ordinal(doc.get("start")),
        end=_ordinal(doc.get("end")),
        lon=_optional_float(doc.get("lon")),
        lat=_optional_float(doc.get("lat")),
        name_sort=str(doc.get("name_sort") or doc.get("title") or "").casefold(),
    )


def _join(*parts: Any) -> str:
    """Join strings and lists of strings into one text, skipping empty ones."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part:
            out.extend(str(p) for p in part if p)
    return "\n".join(p for p in out if p)


def to_fields(doc: Mapping[str, Any], layout: FacetLayout) -> dict[str, Any]:
    """Return the Whoosh fields of a search document (see backend.py)."""
    if not doc.get("id") or doc.get("type") not in ("location", "offer"):
        raise ValueError(f"search document needs an id and a type, got {doc.get('id')!r}")
    title = str(doc.get("title") or "")
    kind = str(doc.get("kind") or "")
    topics = doc.get("topics") or []
    names = _join(title, kind, topics)
    return {
        "id": str(doc["id"]),
        "title": title,
        "description": str(doc.get("description") or ""),
        "tags": _join(kind, topics, doc.get("provider"), doc.get("place")),
        "grams": names,
        "spell": _join(names, doc.get("provider"), doc.get("place")),
        "row": tuple(to_row(doc, layout)),  # a plain tuple: no class path pickled into the index
    }
