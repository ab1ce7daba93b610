"""Full-text search over locations and offers behind a small interface.

The service layer hands in plain document dicts (see schema.to_fields for the keys) and gets
back ids, highlights and facet counts; it loads the objects from the database by id.
"""

import warnings

# Whoosh 2.7.4 (pinned, unmaintained) has source that Python 3.11 warns about whenever it
# compiles one of its modules (some are imported lazily); users must not see that.
# Compile-time warnings name the file path, hence ".*whoosh"; nothing else is silenced.
warnings.filterwarnings("ignore", "invalid escape sequence", DeprecationWarning, ".*whoosh")
warnings.filterwarnings("ignore", '"is" with a literal', SyntaxWarning, ".*whoosh")

from kbm_map.search.index import SearchIndex, SearchIndexBusyError  # noqa: E402
from kbm_map.search.query import FACETS, Hit, Near, SearchQuery, SearchResult  # noqa: E402

__all__ = [
    "FACETS",
    "Hit",
    "Near",
    "SearchIndex",
    "SearchIndexBusyError",
    "SearchQuery",
    "SearchResult",
]
