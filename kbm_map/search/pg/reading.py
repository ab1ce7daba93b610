"""Answer a SearchQuery from the search tables: match, filter, count, sort, page.

Words are matched and scored by matching.py on the postings of the query's terms (the same
code as the Whoosh engine); age, dates, distance and the facets are SQL (filtering.py); the
order follows searching.py: relevance, then name, then document number, with the other
sorts in front.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kbm_map.search.analysis import query_words
from kbm_map.search.highlight import highlight
from kbm_map.search.matching import TextMatch, match_fuzzy, match_words, suggest
from kbm_map.search.pg.filtering import Counted, count_facets, distance_sql, other_mask
from kbm_map.search.pg.postings import StoredPostings
from kbm_map.search.query import FacetLayout, Hit, SearchQuery, SearchResult
from kbm_map.search.searching import DESCRIPTION_CHARS


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
    other = other_mask(cursor, query, count)
    selected = bool(query.terms) or any(v is not None for v in query.flags.values())
    found = text is not None or other is not None or selected
    counted = count_facets(cursor, layout, query, _base(text, other), count, found)
    suggestion, fuzzy = None, False
    if text is not None and counted.total == 0:
        suggestion = suggest(source, query.text, words)
        typo_tolerant = match_fuzzy(source, words)
        again = count_facets(cursor, layout, query, _base(typo_tolerant, other), count, True)
        if again.total:
            text, counted, fuzzy = typo_tolerant, again, True
    page = _page(cursor, query, counted, text)
    return SearchResult(
        total=counted.total,
        hits=_hits(cursor, query, page, text),
        facets=counted.facets,
        suggestion=suggestion,
        fuzzy=fuzzy,
        page=query.page,
        per_page=query.per_page,
    )


def _base(text: TextMatch | None, other: np.ndarray | None) -> np.ndarray | None:
    """Return the mask of text and other filters together (None: everything)."""
    if text is None:
        return other
    return text.mask if other is None else text.mask & other


def _sort_key(query: SearchQuery) -> tuple[str | None, dict]:
    """Return the SQL of the primary sort key (None: by name) and its parameters."""
    if query.sort == "distance" and query.near is not None:
        return distance_sql(query.near)
    if query.sort == "start":
        # The next session from date_from on; without sessions the period's start (not
        # before date_from); neither: NULL, which sorts last (searching._next_dates).
        if query.date_from is None:
            return "CASE WHEN cardinality(sessions) = 0 THEN start_day ELSE sessions[1] END", {}
        return (
            "CASE WHEN cardinality(sessions) = 0 THEN "
            "CASE WHEN start_day IS NULL THEN NULL ELSE greatest(start_day, %(low)s) END "
            "ELSE sessions[width_bucket(%(low)s - 1, sessions) + 1] END",
            {"low": query.date_from},
        )
    return None, {}


def _page(cursor, query: SearchQuery, counted: Counted, text: TextMatch | None) -> list[int]:
    """Return the seqs of the requested page in sort order."""
    first = (query.page - 1) * query.per_page
    if first >= counted.total:
        return []
    key, params = _sort_key(query)
    if text is not None and key is None and query.sort != "name":
        return _by_score(cursor, counted.found, text, first, first + query.per_page)
    seqs = None if counted.found is None else np.flatnonzero(counted.found)
    if text is None:
        rows = _ordered(cursor, key, params, seqs, query.per_page, first)
        return [row[0] for row in rows]
    return _by_key_and_score(cursor, query, key, params, seqs, text, first)


def _ordered(cursor, key, params, seqs, limit, offset=0, where="") -> list[tuple]:  # noqa: ANN001
    """Return (seq, key, name) rows in sort order: key, name, seq."""
    order = "name_key" if key is None else key
    conditions = ["TRUE"] if seqs is None else ["seq = ANY(%(seqs)s)"]
    if where:
        conditions.append(where)
    cursor.execute(
        f"SELECT seq, {order}, name_key FROM search_documents "  # noqa: S608 - fixed SQL
        f"WHERE {' AND '.join(conditions)} "
        f"ORDER BY {order} NULLS LAST, name_key, seq LIMIT %(limit)s OFFSET %(offset)s",
        params
        | {"seqs": None if seqs is None else seqs.tolist(), "limit": limit}
        | {"offset": offset},
    )
    return cursor.fetchall()


def _names(cursor, seqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the seqs still present and each one's rank in name order."""
    cursor.execute(
        "SELECT seq, name_key FROM search_documents WHERE seq = ANY(%s)", (seqs.tolist(),)
    )
    names = dict(cursor.fetchall())
    present = np.array([s for s in seqs.tolist() if s in names], dtype=np.int64)
    ranks = np.unique([names[s] for s in present.tolist()] or [""], return_inverse=True)[1]
    return present, ranks[: len(present)]


def _by_score(cursor, found, text: TextMatch, first: int, wanted: int) -> list[int]:  # noqa: ANN001
    """Return the page of a relevance order: score, then name, then seq."""
    seqs = np.flatnonzero(found)
    if wanted < len(seqs):
        # Partition on the score, widened to all ties at the cut (searching._page).
        negated = -text.scores[seqs]
        seqs = seqs[negated <= np.partition(negated, wanted - 1)[wanted - 1]]
    seqs, ranks = _names(cursor, seqs)
    order = np.lexsort((seqs, ranks, -text.scores[seqs]))
    return seqs[order][first:wanted].tolist()


def _by_key_and_score(cursor, query, key, params, seqs, text, first) -> list[int]:  # noqa: ANN001
    """Return the page of a key order with text: key, then score (name order: the reverse)."""
    wanted = first + query.per_page
    rows = _ordered(cursor, key, params, seqs, wanted)
    if len(rows) == wanted:
        cut = rows[-1][1]
        if cut is None:  # the page reaches documents without a key: best scores first
            keyed = np.array([row[0] for row in rows if row[1] is not None], dtype=np.int64)
            rest = np.setdiff1d(seqs, keyed)
            best = _by_score(cursor, _mask(rest, len(text.scores)), text, 0, wanted - len(keyed))
            rows = [row for row in rows if row[1] is not None]
            rows += [(s, None, None) for s in best]
        else:
            rows = [row for row in rows if row[1] != cut]
            order = "name_key" if key is None else key
            tied = _ordered(cursor, key, params | {"cut": cut}, seqs, None, 0, f"{order} = %(cut)s")
            rows += tied
    found = np.array([row[0] for row in rows], dtype=np.int64)
    present, ranks = _names(cursor, found)
    keys = {row[0]: row[1] for row in rows}
    scores = -text.scores[present]
    if key is None:  # name order: name, then score (searching._sort_keys reversed)
        order = np.lexsort((present, scores, ranks))
    else:
        primary = np.array([_number(keys[s]) for s in present.tolist()], dtype=np.float64)
        order = np.lexsort((present, ranks, scores, primary))
    return present[order][first:wanted].tolist()


def _mask(seqs: np.ndarray, count: int) -> np.ndarray:
    """Return a mask over count seqs."""
    mask = np.zeros(count, dtype=bool)
    mask[seqs] = True
    return mask


def _number(key) -> float:  # noqa: ANN001 - a date, a distance or None
    """Return a sort key as a number; None (no key) sorts last."""
    if key is None:
        return np.inf
    return float(key.toordinal()) if hasattr(key, "toordinal") else float(key)


def _hits(cursor, query: SearchQuery, page: list[int], text: TextMatch | None) -> list[Hit]:
    """Return the hits of a page with highlighted title and description excerpt."""
    if not page:
        return []
    distance, params = distance_sql(query.near) if query.near else ("NULL", {})
    cursor.execute(
        f"SELECT seq, id, title, description, {distance} FROM search_documents "  # noqa: S608
        "WHERE seq = ANY(%(page)s)",
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
