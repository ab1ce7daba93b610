"""The read side: search parameters, the filter registry, search and SQL selections, places.

The public site, the API, the map, the static export and the monitoring import from here
(never the other way round); the write side (services) uses it to keep the index current.

    params.py     URL parameters -> SearchParams (validated), and the engine's SearchQuery
    filters.py    the filter registry: every filter declared once
    documents.py  search documents of the published entries
    engine.py     the app's search backend (KBM_SEARCH_BACKEND), a Flask extension
    search.py     run a search and load its entries with labelled facets
    selection.py  the same selection as SQL conditions (map, exports, monitoring)
    places.py     "near": postcode, place or lat,lon to a position
"""

from .engine import search_backend, search_engine
from .filters import BY_NAME, FILTERS, LAYOUT, Filter
from .params import (
    EXTRA_PARAMS,
    FLAG_PARAMS,
    KNOWN_PARAMS,
    LIST_PARAMS,
    SORT_VALUES,
    WHEN_VALUES,
    ParamError,
    SearchParams,
    date_range,
    parse_params,
    to_query,
)
from .places import Place, resolve_place
from .search import Outcome, language_name, run_search
from .selection import Selection, TextMatches, select_for

__all__ = [
    "BY_NAME",
    "EXTRA_PARAMS",
    "FILTERS",
    "FLAG_PARAMS",
    "KNOWN_PARAMS",
    "LAYOUT",
    "LIST_PARAMS",
    "SORT_VALUES",
    "WHEN_VALUES",
    "Filter",
    "Outcome",
    "ParamError",
    "Place",
    "SearchParams",
    "Selection",
    "TextMatches",
    "date_range",
    "language_name",
    "parse_params",
    "resolve_place",
    "run_search",
    "search_engine",
    "search_backend",
    "select_for",
    "to_query",
]
