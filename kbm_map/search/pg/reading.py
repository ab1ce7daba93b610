"""Answer a SearchQuery from the search tables, with the Whoosh engine's own steps.

The age, date and distance filters (facets.py), matching, scoring, typo tolerance and
suggestions (matching.py) and the order and paging (searching.py) run on StoredColumns;
the facet counts and the total are SQL over the bitmaps (counting.py), which also gives
the documents passing every filter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kbm_map.search import facets
from kbm_map.search.analysis import query_words
from kbm_map.search.highlight import highlight
from kbm_map.search.matching import TextMatch, match_fuzzy, match_words, suggest
from kbm_map.search.pg.blocks import join_masks
from kbm_map.search.pg.cache import BlockCache
from kbm_map.search.pg.columns import StoredColumns
from kbm_map.search.pg.counting import count_facets
from kbm_map.search.query import FacetLayout, Hit, SearchQuery, SearchResult
from kbm_map.search.searching import DESCRIPTION_CHARS, page_docs


@dataclass
class State:
    """What the search_state table says of the index."""

    next_seq: int  # seqs handed out, removed documents included
    generation: str  # changes with every rebuild


def read_columns(cursor, cache: BlockCache, state: State) -> StoredColumns:
    """Return the columns of the caller's snapshot: live bitmaps and length sums afresh."""
    cursor.execute("SELECT block, substring(varbit_send(live) from 5), totals FROM search_blocks")
    rows = cursor.fetchall()
    live = join_masks([(block, bits) for block, bits, _ in rows], state.next_seq)
    totals = np.sum([totals for *_, totals in rows] or [[0, 0, 0]], axis=0)
    return StoredColumns(cursor, cache, state.generation, live, totals.tolist())


def run_query(cursor, layout: FacetLayout, query: SearchQuery, columns: StoredColumns):  # noqa: ANN201
    """Return one page of results with total, facets, highlights and suggestion."""
    dist = facets.distances(columns, query.near) if query.near else None
    filtered = query.age is not None or query.date_from or query.date_to or query.near
    other = facets.other_filters(columns, query, dist) if filtered else None
    words = query_words(query.text)
    text: TextMatch | None = None
    if words:
        columns.prefetch(words)
        text = match_words(columns, words)
    counted = count_facets(cursor, layout, query, _base(text, other), columns.count)
    suggestion, fuzzy = None, False
    if text is not None and counted.total == 0:
        suggestion = suggest(columns, query.text, words)
        typo_tolerant = match_fuzzy(columns, words)
        again = count_facets(cursor, layout, query, _base(typo_tolerant, other), columns.count)
        if again.total:
            text, counted, fuzzy = typo_tolerant, again, True
    page = page_docs(columns, query, np.flatnonzero(counted.found), text, dist)
    return SearchResult(
        total=counted.total,
        hits=_hits(cursor, page, text, dist),
        facets=counted.facets,
        suggestion=suggestion,
        fuzzy=fuzzy,
        page=query.page,
        per_page=query.per_page,
    )


def _base(text: TextMatch | None, other: np.ndarray | None) -> np.ndarray | None:
    """Return the mask of text and other filters together (None: every live document)."""
    if text is None:
        return other
    return text.mask if other is None else text.mask & other


def _hits(cursor, page: np.ndarray, text: TextMatch | None, dist: np.ndarray | None) -> list[Hit]:
    """Return the hits of a page with highlighted title and description excerpt."""
    if not len(page):
        return []
    cursor.execute(
        "SELECT seq, title, description, id FROM search_texts JOIN search_documents USING (seq) "
        "WHERE seq = ANY(%s)",
        (page.tolist(),),
    )
    rows = {row[0]: row for row in cursor.fetchall()}
    matches = text.marks if text is not None else (lambda word: False)
    hits = []
    for seq in page.tolist():
        if seq not in rows:  # removed by a transaction that committed meanwhile
            continue
        _, title, description, doc_id = rows[seq]
        hits.append(
            Hit(
                id=doc_id,
                score=float(text.scores[seq]) if text is not None else 0.0,
                highlights={
                    "title": highlight(title, matches),
                    "description": highlight(description, matches, DESCRIPTION_CHARS),
                },
                distance_m=float(dist[seq]) if dist is not None else None,
            )
        )
    return hits
