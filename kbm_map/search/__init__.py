"""Full-text search engines for Lernorte and Angebote behind one protocol (backend.py).

The read side (kbm_map/finding) hands in plain document dicts and gets back ids, highlights
and facet counts; it loads the entries from the database by id. WhooshBackend keeps the index
on local disk; PostgresBackend keeps it in the app's PostgreSQL database (search/pg/).
"""

import warnings

# Whoosh 2.7.4 (pinned, unmaintained) has source that Python 3.11 warns about whenever it
# compiles one of its modules (some are imported lazily); users must not see that.
# Compile-time warnings name the file path, hence ".*whoosh"; nothing else is silenced.
warnings.filterwarnings("ignore", "invalid escape sequence", DeprecationWarning, ".*whoosh")
warnings.filterwarnings("ignore", '"is" with a literal', SyntaxWarning, ".*whoosh")

from kbm_map.search.backend import Document, SearchBackend, document_id, parse_id  # noqa: E402
from kbm_map.search.index import (  # noqa: E402
    SearchIndexBusyError,
    SearchIndexOutdatedError,
    WhooshBackend,
)
from kbm_map.search.postgres import PostgresBackend  # noqa: E402
from kbm_map.search.query import FacetLayout, Hit, Near, SearchQuery, SearchResult  # noqa: E402

__all__ = [
    "Document",
    "FacetLayout",
    "Hit",
    "Near",
    "PostgresBackend",
    "SearchBackend",
    "SearchIndexBusyError",
    "SearchIndexOutdatedError",
    "SearchQuery",
    "SearchResult",
    "WhooshBackend",
    "document_id",
    "parse_id",
]
