"""Filters as boolean masks, and multi-select facet counts over them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kbm_map.search.columns import NO_DATE_HIGH, NO_DATE_LOW, Columns
from kbm_map.search.query import Near, SearchQuery

EARTH_RADIUS_M = 6_371_008.8


@dataclass
class Filters:
    """The masks of a query's filters: one per facet with a selection, one for the rest."""

    by_facet: dict[str, np.ndarray]
    other: np.ndarray  # live documents passing age, dates and distance

    def all(self) -> np.ndarray:
        """Return the mask of documents passing every filter."""
        mask = self.other.copy()
        for facet_mask in self.by_facet.values():
            mask &= facet_mask
        return mask

    def all_but(self, facet: str) -> np.ndarray:
        """Return the mask of documents passing every filter except one facet's own."""
        mask = self.other.copy()
        for name, facet_mask in self.by_facet.items():
            if name != facet:
                mask &= facet_mask
        return mask


def _facet_mask(columns: Columns, facet: str, values: list[str]) -> np.ndarray:
    """Return the documents having any of the values in a facet (OR within a facet)."""
    column = columns.facets[facet]
    codes = [column.index[v] for v in values if v in column.index]
    mask = np.zeros(columns.count, dtype=bool)
    if codes:
        mask[column.docs[np.isin(column.codes, codes)]] = True
    return mask


def _date_mask(columns: Columns, query: SearchQuery) -> np.ndarray:
    """Return documents with a session in, or a period overlapping, the dates asked for."""
    low = query.date_from.toordinal() if query.date_from else NO_DATE_LOW
    high = query.date_to.toordinal() if query.date_to else NO_DATE_HIGH
    days = columns.session_days
    in_range = np.zeros(columns.count, dtype=bool)
    in_range[columns.session_docs[(days >= low) & (days <= high)]] = True
    # Documents without dates have open periods (start/end sentinels), so they always pass:
    # ongoing services and places must not vanish when someone picks a week.
    overlaps = (columns.start <= high) & (columns.end >= low)
    return np.where(columns.has_sessions, in_range, overlaps)


def distances(columns: Columns, near: Near) -> np.ndarray:
    """Return distances in metres for documents in the circle's bounding box, else NaN."""
    return columns.memo(("near", near), lambda: _distances(columns, near))


def _distances(columns: Columns, near: Near) -> np.ndarray:
    """Compute great-circle distances for the documents in the circle's bounding box."""
    # Trigonometry for 110,000 points costs milliseconds; the bounding box test does not.
    half_lat = np.degrees(near.radius_m / EARTH_RADIUS_M)
    half_lon = half_lat / max(np.cos(np.radians(near.lat)), 0.01)
    with np.errstate(invalid="ignore"):
        box = (np.abs(columns.lat - near.lat) <= half_lat) & (
            np.abs(columns.lon - near.lon) <= half_lon
        )
    inside = np.flatnonzero(box)
    lon0, lat0 = np.radians(near.lon), np.radians(near.lat)
    lon, lat = np.radians(columns.lon[inside]), np.radians(columns.lat[inside])
    a = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
    result = np.full(columns.count, np.nan)
    result[inside] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return result


def filter_masks(columns: Columns, query: SearchQuery, dist: np.ndarray | None) -> Filters:
    """Return the masks of all filters of a query."""
    by_facet = {
        name: columns.memo(
            ("facet", name, *sorted(values)),
            lambda name=name, values=values: _facet_mask(columns, name, values),
        )
        for name, values in query.terms.items()
        if name in columns.facets
    }
    for name, wanted in query.flags.items():
        if name in columns.facets and wanted is not None:
            flag = np.zeros(columns.count, dtype=bool)
            flag[columns.facets[name].docs] = True
            by_facet[name] = flag if wanted else ~flag
    return Filters(by_facet, other_filters(columns, query, dist))


def other_filters(columns: Columns, query: SearchQuery, dist: np.ndarray | None) -> np.ndarray:
    """Return the mask of live documents passing age, dates and distance."""
    other = columns.live.copy()
    if query.age is not None:
        other &= (columns.min_age <= query.age) & (columns.max_age >= query.age)
    if query.date_from or query.date_to:
        key = ("dates", query.date_from, query.date_to)
        other &= columns.memo(key, lambda: _date_mask(columns, query))
    if dist is not None and query.near is not None:
        with np.errstate(invalid="ignore"):
            other &= dist <= query.near.radius_m
    return other


def count_facets(
    columns: Columns, text_mask: np.ndarray | None, filters: Filters, wanted: tuple[str, ...]
) -> dict[str, dict[str, int]]:
    """Count each facet's values over the results, ignoring that facet's own selection."""
    counts: dict[str, dict[str, int]] = {}
    for name in wanted:
        mask = filters.all_but(name)
        if text_mask is not None:
            mask &= text_mask
        column = columns.facets[name]
        per_value = columns.count_values(name, mask)
        order = sorted(np.flatnonzero(per_value), key=lambda i: (-per_value[i], column.vocab[i]))
        counts[name] = {column.vocab[i]: int(per_value[i]) for i in order}
    return counts
