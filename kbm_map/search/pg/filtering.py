"""The SQL side of a query: age, date and distance filters, facet counts over bitmaps.

Facet counting never visits a document row: the filters become one bitmap per block (the
text match and the age/date/distance filters arrive as one base bitmap), and each value's
count is bit_count(value bitmap & mask) summed over the blocks, where the mask is the base
ANDed with every selected facet but the value's own (facets.py's multi-select rule).
"""

# ruff: noqa: S608 - the SQL is built from fixed fragments; every value is a bound parameter.

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kbm_map.search.facets import EARTH_RADIUS_M
from kbm_map.search.pg.blocks import join_masks, split_mask
from kbm_map.search.pg.schema import BLOCK
from kbm_map.search.query import FacetLayout, Near, SearchQuery

ZERO = f"repeat('0', {BLOCK})::varbit"


def distance_sql(near: Near) -> tuple[str, dict]:
    """Return the great-circle distance in metres as facets.distances computes it."""
    params = {
        "near_lat": math.radians(near.lat),
        "near_lon": math.radians(near.lon),
        "cos_near_lat": math.cos(math.radians(near.lat)),
    }
    expression = (
        f"2 * {EARTH_RADIUS_M} * asin(sqrt(least("
        "power(sin((radians(lat) - %(near_lat)s) / 2), 2) + %(cos_near_lat)s * cos(radians(lat))"
        " * power(sin((radians(lon) - %(near_lon)s) / 2), 2), 1.0)))"
    )
    return expression, params


def _near_conditions(near: Near) -> tuple[list[str], dict]:
    """Return the bounding box and radius conditions of a circle (facets._distances)."""
    half_lat = math.degrees(near.radius_m / EARTH_RADIUS_M)
    half_lon = half_lat / max(math.cos(math.radians(near.lat)), 0.01)
    distance, params = distance_sql(near)
    params |= {"lat0": near.lat, "lon0": near.lon, "half_lat": half_lat, "half_lon": half_lon}
    params |= {"radius": near.radius_m}
    conditions = [
        # The box (a little wider) lets the index on the position find it; abs() decides.
        "point(lon, lat) <@ box(point(%(lon0)s - %(half_lon)s * 1.001, %(lat0)s - %(half_lat)s"
        " * 1.001), point(%(lon0)s + %(half_lon)s * 1.001, %(lat0)s + %(half_lat)s * 1.001))",
        "abs(lat - %(lat0)s) <= %(half_lat)s",
        "abs(lon - %(lon0)s) <= %(half_lon)s",
        f"{distance} <= %(radius)s",
    ]
    return conditions, params


def other_conditions(query: SearchQuery) -> tuple[list[str], dict]:
    """Return the SQL conditions and parameters of the age, date and distance filters."""
    conditions: list[str] = []
    params: dict = {}
    if query.age is not None:
        conditions.append("(min_age IS NULL OR min_age <= %(age)s)")
        conditions.append("(max_age IS NULL OR max_age >= %(age)s)")
        params["age"] = query.age
    if query.date_from or query.date_to:
        # Documents without dates hold an unbounded period: they always pass.
        conditions.append("days && daterange(%(date_from)s, %(date_to)s, '[]')")
        params |= {"date_from": query.date_from, "date_to": query.date_to}
    if query.near is not None:
        near, near_params = _near_conditions(query.near)
        conditions += near
        params |= near_params
    return conditions, params


def other_mask(
    cursor, query: SearchQuery, count: int, among: np.ndarray | None = None
) -> np.ndarray | None:
    """Return the mask of live documents passing age, dates and distance (None: no such).

    among: test only these seqs (the few a text matched), not every document.
    """
    conditions, params = other_conditions(query)
    if not conditions:
        return None
    if among is not None:
        conditions.append("seq = ANY(%(among)s)")
        params["among"] = among.tolist()
    cursor.execute(
        "SELECT string_agg(int4send(seq), '') FROM search_documents WHERE "
        + " AND ".join(conditions),
        params,
    )
    (raw,) = cursor.fetchone()
    mask = np.zeros(count, dtype=bool)
    mask[np.frombuffer(raw or b"", dtype=">i4")] = True
    return mask


@dataclass
class Counted:
    """Total, facet counts and the mask of everything found."""

    total: int
    facets: dict[str, dict[str, int]]
    found: np.ndarray | None  # over seqs; None when not asked for


def _selections(layout: FacetLayout, query: SearchQuery) -> list[tuple[str, str, dict]]:
    """Return (facet, has-bitmap SQL, params) per selected facet; flag False negates."""
    selected = []
    for i, (name, values) in enumerate(query.terms.items()):
        if name in layout.lists:
            sql = (
                "SELECT block, bit_or(bits) AS bits FROM search_facets "
                f"WHERE facet = %(sf{i})s AND value = ANY(%(sv{i})s) GROUP BY block"
            )
            selected.append((name, sql, {f"sf{i}": name, f"sv{i}": list(values)}))
    for i, (name, wanted) in enumerate(query.flags.items()):
        if name in layout.flags and wanted is not None:
            sql = (
                f"SELECT block, bits FROM search_facets WHERE facet = %(ff{i})s AND value = 'true'"  # noqa: E501
            )
            selected.append((name if wanted else "!" + name, sql, {f"ff{i}": name}))
    return selected


def count_facets(
    cursor,
    layout: FacetLayout,
    query: SearchQuery,
    base: np.ndarray | None,
    count: int,
    found: bool,
) -> Counted:
    """Count the total and each wanted facet over base (None: every live document).

    found=True also returns the mask of the documents passing every filter.
    """
    params: dict = {"wanted": list(layout.names if query.facets is None else query.facets)}
    ctes = []
    if base is None:
        ctes.append("base AS (SELECT block, live AS bits FROM search_blocks)")
    else:
        params["base_blocks"], params["base_hex"] = split_mask(base)
        ctes.append(
            f"base AS (SELECT l.block, l.live & ('x' || u.hex)::bit({BLOCK})::varbit AS bits "
            "FROM search_blocks l "
            "JOIN unnest(%(base_blocks)s::int[], %(base_hex)s::text[]) AS u(block, hex) "
            "USING (block))"
        )
    selections = _selections(layout, query)
    terms = []
    for i, (name, sql, sql_params) in enumerate(selections):
        ctes.append(f"s{i} AS ({sql})")
        params |= sql_params
        negate = "~" if name.startswith("!") else ""
        terms.append(f"{negate}coalesce(s{i}.bits, {ZERO})")
    masks = ["base.bits" + "".join(f" & {t}" for t in terms) + " AS m"]
    cases = []
    for i, (name, *_rest) in enumerate(selections):
        others = "".join(f" & {t}" for j, t in enumerate(terms) if j != i)
        masks.append(f"base.bits{others} AS m{i}")
        params[f"facet{i}"] = name.lstrip("!")
        cases.append(f"WHEN %(facet{i})s THEN m.m{i}")
    joins = "".join(f" LEFT JOIN s{i} USING (block)" for i in range(len(selections)))
    ctes.append(f"masks AS MATERIALIZED (SELECT base.block, {', '.join(masks)} FROM base{joins})")
    mask_of_value = f"CASE f.facet {' '.join(cases)} ELSE m.m END" if cases else "m.m"
    sql = (
        f"WITH {', '.join(ctes)} "
        "SELECT 0, f.facet, f.value, "
        f"sum(bit_count(f.bits & {mask_of_value}))::bigint, NULL::bytea "
        "FROM search_facets f JOIN masks m USING (block) WHERE f.facet = ANY(%(wanted)s) "
        "GROUP BY f.facet, f.value "
        "UNION ALL SELECT 1, NULL, NULL, coalesce(sum(bit_count(m)), 0)::bigint, NULL FROM masks"
    )
    if found:
        sql += (
            " UNION ALL SELECT 2, NULL, NULL, block::bigint, substring(varbit_send(m) from 5)"
            " FROM masks"
            " WHERE bit_count(m) > 0"
        )
    cursor.execute(sql, params)
    return _counted(cursor.fetchall(), params["wanted"], count, found)


def _counted(rows: list[tuple], wanted: list[str], count: int, found: bool) -> Counted:
    """Collect the rows of the counting statement."""
    per_facet: dict[str, dict[str, int]] = {name: {} for name in wanted}
    total, blocks = 0, []
    for kind, facet, value, number, bits in rows:
        if kind == 0 and number:
            per_facet[facet][value] = int(number)
        elif kind == 1:
            total = int(number)
        elif kind == 2:
            blocks.append((int(number), bits))
    facets = {
        name: dict(sorted(values.items(), key=lambda item: (-item[1], item[0])))
        for name, values in per_facet.items()
    }
    return Counted(total, facets, join_masks(blocks, count) if found else None)
