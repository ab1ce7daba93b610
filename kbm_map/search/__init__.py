"""Full-text search over locations and offers behind a small interface.

The service layer hands in plain document dicts (see schema.to_fields for the keys) and gets
back ids, highlights and facet counts; it loads the objects from the database by id.
"""

from kbm_map.search.index import SearchIndex, SearchIndexBusyError
from kbm_map.search.query import FACETS, Hit, Near, SearchQuery, SearchResult

__all__ = [
    "FACETS",
    "Hit",
    "Near",
    "SearchIndex",
    "SearchIndexBusyError",
    "SearchQuery",
    "SearchResult",
]
