"""Facet counts in SQL over bitmaps, with the multi-select rule of facets.py.

Counting never visits a document row: the query's other filters arrive as one base bitmap
per block (text, age, dates, distance), and each value's count is bit_count(value bitmap &
mask) summed over the blocks, where the mask is the base ANDed with the live bitmap and
every selected facet but the value's own.
"""

# ruff: noqa: S608 - the SQL is built from fixed fragments; every value is a bound parameter.

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kbm_map.search.pg.blocks import join_masks, split_mask
from kbm_map.search.pg.schema import BLOCK
from kbm_map.search.query import FacetLayout, SearchQuery

ZERO = f"repeat('0', {BLOCK})::varbit"


@dataclass
class Counted:
    """Total, facet counts and the mask of everything found."""

    total: int
    facets: dict[str, dict[str, int]]
    found: np.ndarray  # over seqs


@dataclass(frozen=True)
class _Selection:
    """One selected facet: the SQL of its documents' bitmaps per block."""

    facet: str
    sql: str
    params: dict
    negated: bool = False  # a flag asked to be off: the documents without it


def _selections(layout: FacetLayout, query: SearchQuery) -> list[_Selection]:
    """Return the selected facets (OR within a list facet's values)."""
    selected = []
    for i, (name, values) in enumerate(query.terms.items()):
        if name in layout.lists:
            sql = (
                "SELECT block, bit_or(bits) AS bits FROM search_facets "
                f"WHERE facet = %(sf{i})s AND value = ANY(%(sv{i})s) GROUP BY block"
            )
            selected.append(_Selection(name, sql, {f"sf{i}": name, f"sv{i}": list(values)}))
    for i, (name, wanted) in enumerate(query.flags.items()):
        if name in layout.flags and wanted is not None:
            sql = (
                f"SELECT block, bits FROM search_facets WHERE facet = %(ff{i})s AND value = 'true'"
            )
            selected.append(_Selection(name, sql, {f"ff{i}": name}, negated=not wanted))
    return selected


def _base(base: np.ndarray | None, params: dict) -> str:
    """Return the CTE of the base bitmaps: the live documents, within base if given."""
    if base is None:
        return "base AS (SELECT block, live AS bits FROM search_blocks)"
    params["base_blocks"], params["base_hex"] = split_mask(base)
    return (
        f"base AS (SELECT l.block, l.live & ('x' || u.hex)::bit({BLOCK})::varbit AS bits "
        "FROM search_blocks l "
        "JOIN unnest(%(base_blocks)s::int[], %(base_hex)s::text[]) AS u(block, hex) USING (block))"
    )


def _statement(layout: FacetLayout, query: SearchQuery, base: np.ndarray | None):  # noqa: ANN202
    """Return the counting statement and its parameters.

    masks holds per block m (every filter) and m0, m1, … (every filter but selection i);
    each value is counted under the mask of its own facet.
    """
    params: dict = {"wanted": list(layout.names if query.facets is None else query.facets)}
    ctes = [_base(base, params)]
    selections = _selections(layout, query)
    terms = []
    for i, selection in enumerate(selections):
        ctes.append(f"s{i} AS ({selection.sql})")
        params |= selection.params | {f"facet{i}": selection.facet}
        terms.append(f"{'~' if selection.negated else ''}coalesce(s{i}.bits, {ZERO})")
    masks = ["base.bits" + "".join(f" & {t}" for t in terms) + " AS m"]
    for i in range(len(selections)):
        masks.append("base.bits" + "".join(f" & {t}" for j, t in enumerate(terms) if j != i))
        masks[-1] += f" AS m{i}"
    joins = "".join(f" LEFT JOIN s{i} USING (block)" for i in range(len(selections)))
    ctes.append(f"masks AS MATERIALIZED (SELECT base.block, {', '.join(masks)} FROM base{joins})")
    cases = " ".join(f"WHEN %(facet{i})s THEN m.m{i}" for i in range(len(selections)))
    own_mask = f"CASE f.facet {cases} ELSE m.m END" if cases else "m.m"
    sql = (
        f"WITH {', '.join(ctes)} "
        f"SELECT 0, f.facet, f.value, sum(bit_count(f.bits & {own_mask}))::bigint, NULL::bytea "
        "FROM search_facets f JOIN masks m USING (block) WHERE f.facet = ANY(%(wanted)s) "
        "GROUP BY f.facet, f.value "
        "UNION ALL SELECT 1, NULL, NULL, coalesce(sum(bit_count(m)), 0)::bigint, NULL FROM masks "
        "UNION ALL SELECT 2, NULL, NULL, block::bigint, substring(varbit_send(m) from 5) "
        "FROM masks WHERE bit_count(m) > 0"
    )
    return sql, params


def count_facets(
    cursor,
    layout: FacetLayout,
    query: SearchQuery,
    base: np.ndarray | None,
    count: int,
) -> Counted:
    """Count the total and each wanted facet over base (None: every live document).

    Also return the mask of the documents passing every filter.
    """
    sql, params = _statement(layout, query, base)
    cursor.execute(sql, params)
    return _counted(cursor.fetchall(), params["wanted"], count)


def _counted(rows: list[tuple], wanted: list[str], count: int) -> Counted:
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
    return Counted(total, facets, join_masks(blocks, count))
