"""Answer a SearchQuery from the search tables: match, filter, count, sort, page.

Words are matched and scored by matching.py on the postings of the query's terms (the same
code as the Whoosh engine); age, dates, distance and the facets are SQL (filtering.py); the
order is searching.py's: the sort's key, then relevance, then name, then document number
(name order: name, then relevance).
"""

# ruff: noqa: S608 - the SQL is built from fixed fragments; every value is a bound parameter.

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kbm_map.search.analysis import query_words
from kbm_map.search.highlight import highlight
from kbm_map.search.matching import TextMatch, match_fuzzy, match_words, suggest
from kbm_map.search.pg.blocks import split_mask
from kbm_map.search.pg.filtering import Counted, count_facets, distance_sql, other_mask
from kbm_map.search.pg.postings import StoredPostings
from kbm_map.search.pg.schema import BLOCK
from kbm_map.search.query import FacetLayout, Hit, SearchQuery, SearchResult
from kbm_map.search.searching import DESCRIPTION_CHARS

FEW = 2_000  # up to this many seqs are named in the SQL; more travel as block bitmaps
_KEY = np.dtype([("seq", ">i4"), ("key", ">f8")])


@dataclass
class State:
    """What a query needs to know of the index as a whole."""

    next_seq: int  # seqs handed out, removed documents included
    totals: tuple[int, ...]  # summed field lengths, as Whoosh averages them


def run_query(cursor, layout: FacetLayout, query: SearchQuery, state: State) -> SearchResult:
    """Return one page of results with total, facets, highlights and suggestion."""
    count = state.next_seq
    source = StoredPostings(cursor, count, state.totals)
    words = query_words(query.text)
    text: TextMatch | None = None
    if words:
        source.prefetch(words)
        text = match_words(source, words)
    other = _other(cursor, query, count, text)
    selected = bool(query.terms) or any(v is not None for v in query.flags.values())
    found = text is not None or other is not None or selected
    counted = count_facets(cursor, layout, query, _base(text, other), count, found)
    suggestion, fuzzy = None, False
    if text is not None and counted.total == 0:
        suggestion = suggest(source, query.text, words)
        typo_tolerant = match_fuzzy(source, words)
        other = _other(cursor, query, count, typo_tolerant)
        again = count_facets(cursor, layout, query, _base(typo_tolerant, other), count, True)
        if again.total:
            text, counted, fuzzy = typo_tolerant, again, True
    return SearchResult(
        total=counted.total,
        hits=_hits(cursor, query, _page(cursor, query, counted, text), text),
        facets=counted.facets,
        suggestion=suggestion,
        fuzzy=fuzzy,
        page=query.page,
        per_page=query.per_page,
    )


def _other(cursor, query: SearchQuery, count: int, text: TextMatch | None) -> np.ndarray | None:
    """Return the age/date/distance mask, testing only the text's few matches if it has."""
    among = None
    if text is not None:
        matched = np.flatnonzero(text.mask)
        among = matched if len(matched) <= FEW else None
    return other_mask(cursor, query, count, among)


def _base(text: TextMatch | None, other: np.ndarray | None) -> np.ndarray | None:
    """Return the mask of text and other filters together (None: everything)."""
    if text is None:
        return other
    return text.mask if other is None else text.mask & other


def _restricted(found: np.ndarray | None) -> tuple[str, str, str, dict]:
    """Return (WITH, JOIN, WHERE, params) limiting search_documents d to found seqs."""
    if found is None:
        return "", "", "TRUE", {}
    seqs = np.flatnonzero(found)
    if len(seqs) <= FEW:
        return "", "", "d.seq = ANY(%(among)s)", {"among": seqs.tolist()}
    blocks, hexes = split_mask(found)
    return (
        f"WITH m AS MATERIALIZED (SELECT block, ('x' || hex)::bit({BLOCK}) AS bits "
        "FROM unnest(%(among_blocks)s::int[], %(among_hex)s::text[]) AS u(block, hex)) ",
        f"JOIN m ON m.block = d.seq / {BLOCK}",
        f"get_bit(m.bits, d.seq %% {BLOCK}) = 1",
        {"among_blocks": blocks, "among_hex": hexes},
    )


def _sort_key(query: SearchQuery) -> tuple[str | None, dict]:
    """Return the SQL of the primary sort key as a number (None: by name) and parameters."""
    if query.sort == "distance" and query.near is not None:
        return distance_sql(query.near)
    if query.sort == "start":
        # The next session from date_from on; without sessions the period's start (not
        # before date_from); neither: NULL, which sorts last (searching._next_dates).
        days = "(%s - DATE '0001-01-01' + 1)"  # Python's date.toordinal()
        if query.date_from is None:
            key = "CASE WHEN cardinality(sessions) = 0 THEN start_day ELSE sessions[1] END"
            return days.replace("%s", key), {}
        key = (
            "CASE WHEN cardinality(sessions) = 0 THEN "
            "CASE WHEN start_day IS NULL THEN NULL ELSE greatest(start_day, %(low)s) END "
            "ELSE sessions[width_bucket(%(low)s - 1, sessions) + 1] END"
        )
        return days.replace("%s", key), {"low": query.date_from}
    return None, {}


def _page(cursor, query: SearchQuery, counted: Counted, text: TextMatch | None) -> list[int]:
    """Return the seqs of the requested page in sort order."""
    first = (query.page - 1) * query.per_page
    if first >= counted.total:
        return []
    wanted = first + query.per_page
    key, params = _sort_key(query)
    if text is None:  # every score is 0: the SQL orders by key, name, seq
        order = "d.name_key" if key is None else key
        return [row[0] for row in _ordered(cursor, order, params, counted.found, query, first)]
    if query.sort == "name":
        return _by_name(cursor, counted.found, text, wanted)[first:wanted]
    seqs = np.flatnonzero(counted.found)
    count = len(counted.found)
    if key is None:
        return _best(cursor, seqs, [-text.scores[seqs]], wanted, count)[first:wanted]
    seqs, keys = _keys(cursor, key, params, counted.found)
    return _best(cursor, seqs, [keys, -text.scores[seqs]], wanted, count)[first:wanted]


def _ordered(cursor, order, params, found, query, first) -> list[tuple]:  # noqa: ANN001
    """Return (seq,) rows of one page ordered by order, name, seq."""
    with_, join, where, restrict = _restricted(found)
    cursor.execute(
        f"{with_}SELECT d.seq FROM search_documents d {join} WHERE {where} "
        f"ORDER BY {order} NULLS LAST, d.name_key, d.seq LIMIT %(limit)s OFFSET %(offset)s",
        params | restrict | {"limit": query.per_page, "offset": first},
    )
    return cursor.fetchall()


def _keys(cursor, key: str, params: dict, found) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """Return the found seqs and their sort keys (infinity for none), read in one scan."""
    with_, join, where, restrict = _restricted(found)
    cursor.execute(
        f"{with_}SELECT string_agg(int4send(d.seq) || float8send(coalesce(({key})::float8, "
        f"'Infinity')), '') FROM search_documents d {join} WHERE {where}",
        params | restrict,
    )
    rows = np.frombuffer(cursor.fetchone()[0] or b"", dtype=_KEY)
    return rows["seq"].astype(np.int64), rows["key"].astype(np.float64)


def _names(cursor, seqs: np.ndarray, count: int) -> dict[int, str]:
    """Return {seq: name key} of these seqs (those removed meanwhile are missing)."""
    mask = np.zeros(count, dtype=bool)
    mask[seqs] = True
    with_, join, where, restrict = _restricted(mask)
    cursor.execute(
        f"{with_}SELECT d.seq, d.name_key FROM search_documents d {join} WHERE {where}", restrict
    )
    return dict(cursor.fetchall())


def _best(cursor, seqs: np.ndarray, keys: list[np.ndarray], wanted: int, count: int) -> list[int]:  # noqa: ANN001, E501
    """Return the first wanted seqs ordered by keys (most significant first), name, seq."""
    # Narrow to what can reach the page key by key, as searching._page partitions: all
    # seqs before the cut of a key are in, its ties go on to the next key.
    keep = np.ones(len(seqs), dtype=bool)
    candidates, need = np.arange(len(seqs)), wanted
    for key in keys:
        if len(candidates) <= need:
            break
        values = key[candidates]
        cut = np.partition(values, need - 1)[need - 1]
        keep[candidates[values > cut]] = False
        need -= int((values < cut).sum())
        candidates = candidates[values == cut]
    chosen = np.flatnonzero(keep)
    names = _names(cursor, seqs[chosen], count)
    chosen = np.array([i for i in chosen.tolist() if int(seqs[i]) in names], dtype=np.int64)
    ranks = np.unique([names[int(seqs[i])] for i in chosen] or [""], return_inverse=True)[1]
    order = np.lexsort((seqs[chosen], ranks[: len(chosen)], *reversed([k[chosen] for k in keys])))
    return seqs[chosen][order][:wanted].tolist()


def _by_name(cursor, found: np.ndarray, text: TextMatch, wanted: int) -> list[int]:
    """Return the first wanted seqs in name order, ties by relevance, then seq."""
    with_, join, where, restrict = _restricted(found)
    cursor.execute(
        f"{with_}SELECT d.name_key FROM search_documents d {join} WHERE {where} "
        "ORDER BY d.name_key, d.seq LIMIT 1 OFFSET %(offset)s",
        restrict | {"offset": wanted - 1},
    )
    last = cursor.fetchone()
    if last is not None:
        where += " AND d.name_key <= %(last)s"
        restrict["last"] = last[0]
    cursor.execute(
        f"{with_}SELECT d.seq, d.name_key FROM search_documents d {join} WHERE {where}", restrict
    )
    rows = cursor.fetchall()
    seqs = np.array([seq for seq, _ in rows], dtype=np.int64)
    ranks = np.unique([name for _, name in rows] or [""], return_inverse=True)[1][: len(rows)]
    order = np.lexsort((seqs, -text.scores[seqs], ranks))
    return seqs[order][:wanted].tolist()


def _hits(cursor, query: SearchQuery, page: list[int], text: TextMatch | None) -> list[Hit]:
    """Return the hits of a page with highlighted title and description excerpt."""
    if not page:
        return []
    distance, params = distance_sql(query.near) if query.near else ("NULL", {})
    cursor.execute(
        f"SELECT d.seq, d.id, t.title, t.description, {distance} FROM search_documents d "
        "JOIN search_texts t USING (seq) WHERE d.seq = ANY(%(page)s)",
        params | {"page": page},
    )
    rows = {row[0]: row for row in cursor.fetchall()}
    matches = text.marks if text is not None else (lambda word: False)
    hits = []
    for seq in page:
        if seq not in rows:  # removed by a transaction that committed meanwhile
            continue
        _, doc_id, title, description, distance_m = rows[seq]
        hits.append(
            Hit(
                id=doc_id,
                score=float(text.scores[seq]) if text is not None else 0.0,
                highlights={
                    "title": highlight(title, matches),
                    "description": highlight(description, matches, DESCRIPTION_CHARS),
                },
                distance_m=None if distance_m is None else float(distance_m),
            )
        )
    return hits
