"""The seam between the read side and a search engine: documents in, results out.

A document is a plain dict built by kbm_map/finding/documents.py:

    id           "location:12" or "offer:7"
    type         "location" or "offer"
    title, description, kind (the kind's words), topics (labels), provider, place: text
    terms        {list facet: [codes]}, e.g. {"type": ["offer"], "area": ["schule"], …}
    flags        {flag facet: bool}, e.g. {"free": True, "step_free": False, …}
    min_age, max_age   whole years or None (an open bound)
    dates        the days of its sessions (date or ISO text); start, end: its period or None
    lon, lat     the position (an Angebot's first Lernort) or None
    name_sort    the text it sorts by in "name" order

Which facets exist is the backend's FacetLayout; a backend ignores facets it does not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from kbm_map.search.query import FacetLayout, SearchQuery, SearchResult

Document = Mapping[str, Any]


@runtime_checkable
class SearchBackend(Protocol):
    """A full-text index of Lernorte and Angebote with filters, facets and sorting."""

    name: str  # "whoosh", "postgres"
    layout: FacetLayout
    # True: index() and remove() write in the caller's database transaction, so the index
    # commits (or rolls back) with the data. False: they write at once, after the commit.
    transactional: bool

    def index(self, docs: Iterable[Document]) -> None:
        """Add documents, replacing any with the same id."""

    def remove(self, ids: Iterable[str]) -> None:
        """Remove the documents with these ids (unknown ids are ignored)."""

    def query(self, query: SearchQuery) -> SearchResult:
        """Answer a query: one page of hits, the total, facet counts, suggestion."""

    def rebuild(self, docs: Iterable[Document]) -> int:
        """Replace every document by docs (readers keep answering); return the count."""

    def count(self) -> int:
        """Return the number of documents in the index."""

    def close(self) -> None:
        """Release files and connections."""


def document_id(entity: str, entity_id: int) -> str:
    """Return the index id of a Lernort ("location") or Angebot ("offer")."""
    return f"{entity}:{entity_id}"


def parse_id(doc_id: str) -> tuple[str, int]:
    """Return (entity, id) of an index id."""
    entity, _, number = doc_id.partition(":")
    return entity, int(number)
