"""Answer a SearchQuery from one generation's columns: match, filter, count, sort, page."""

from __future__ import annotations

import numpy as np

from kbm_map.search import facets
from kbm_map.search.analysis import query_words
from kbm_map.search.columns import NO_DATE_HIGH, NO_DATE_LOW, Columns
from kbm_map.search.highlight import highlight
from kbm_map.search.matching import TextMatch, match_fuzzy, match_words, suggest
from kbm_map.search.query import Hit, SearchQuery, SearchResult

DESCRIPTION_CHARS = 240


def run_query(columns: Columns, query: SearchQuery) -> SearchResult:
    """Return one page of results with total, facets, highlights and suggestion."""
    dist = facets.distances(columns, query.near) if query.near else None
    filters = facets.filter_masks(columns, query, dist)
    words = query_words(query.text)
    text: TextMatch | None = match_words(columns, words) if words else None
    passing = filters.all()
    suggestion, fuzzy = None, False
    if text is not None and not (text.mask & passing).any():
        suggestion = suggest(columns, query.text, words)
        typo_tolerant = match_fuzzy(columns, words)
        if (typo_tolerant.mask & passing).any():
            text, fuzzy = typo_tolerant, True
    if text is not None:
        passing &= text.mask
    found = np.flatnonzero(passing)
    page = page_docs(columns, query, found, text, dist)
    return SearchResult(
        total=len(found),
        hits=[_hit(columns, docnum, text, dist) for docnum in page],
        facets=facets.count_facets(
            columns,
            text.mask if text else None,
            filters,
            columns.layout.names if query.facets is None else query.facets,
        ),
        suggestion=suggestion,
        fuzzy=fuzzy,
        page=query.page,
        per_page=query.per_page,
    )


def _start_keys(columns: Columns, query: SearchQuery, found: np.ndarray) -> np.ndarray:
    """Return each found document's next date from date_from on; undated ones sort last."""
    low = query.date_from.toordinal() if query.date_from else NO_DATE_LOW
    return columns.memo(("start", low), lambda: _next_dates(columns, low))[found]


def _next_dates(columns: Columns, low: int) -> np.ndarray:
    """Return every document's first date on or after low (infinity when it has none)."""
    keys = np.maximum(columns.start, low).astype(np.float64)
    keys[columns.start == NO_DATE_LOW] = np.inf
    upcoming = columns.session_days >= low
    docs, days = columns.session_docs[upcoming], columns.session_days[upcoming]
    # Sessions are stored in document order and by date, so the first per document is next.
    first = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]]) if len(docs) else docs
    keys[columns.has_sessions] = np.inf
    keys[docs[first]] = days[first]
    keys[keys >= NO_DATE_HIGH] = np.inf
    return keys


def _sort_keys(
    columns: Columns,
    query: SearchQuery,
    found: np.ndarray,
    text: TextMatch | None,
    dist: np.ndarray | None,
) -> tuple[np.ndarray, ...]:
    """Return sort keys for the found documents, most significant last (np.lexsort order)."""
    name = columns.name_rank[found]
    # Without text every score is equal: leaving relevance out avoids sorting on ties.
    ties = (name,) if text is None else (name, -text.scores[found])
    if query.sort == "distance" and dist is not None:
        return *ties, np.nan_to_num(dist[found], nan=np.inf)
    if query.sort == "start":
        return *ties, _start_keys(columns, query, found)
    if query.sort == "name":
        return ties[::-1]
    return ties


def page_docs(
    columns: Columns,
    query: SearchQuery,
    found: np.ndarray,
    text: TextMatch | None,
    dist: np.ndarray | None,
) -> np.ndarray:
    """Return the docnums of the requested page in sort order."""
    first = (query.page - 1) * query.per_page
    if first >= len(found):
        return found[:0]
    keys = _sort_keys(columns, query, found, text, dist)
    wanted = first + query.per_page
    if wanted < len(found):
        # Partition on the primary key, widened to all ties at the cut, then sort only those.
        primary = keys[-1]
        cut = np.partition(primary, wanted - 1)[wanted - 1]
        candidates = np.flatnonzero(primary <= cut)
        found = found[candidates]
        keys = tuple(k[candidates] for k in keys)
    order = np.lexsort(keys)
    return found[order][first:wanted]


def _hit(columns: Columns, docnum: int, text: TextMatch | None, dist: np.ndarray | None) -> Hit:
    """Return a hit with highlighted title and description excerpt."""
    stored = columns.searcher.stored_fields(int(docnum))
    matches = text.marks if text is not None else (lambda word: False)
    return Hit(
        id=stored["id"],
        score=float(text.scores[docnum]) if text is not None else 0.0,
        highlights={
            "title": highlight(stored.get("title", ""), matches),
            "description": highlight(stored.get("description", ""), matches, DESCRIPTION_CHARS),
        },
        distance_m=float(dist[docnum]) if dist is not None else None,
    )
