"""Fixtures for the search engine: a fresh index and small German documents."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

# Whoosh 2.7.4 (pinned, see DESIGN.md) has invalid escape sequences and an `is` comparison
# with a literal; Python reports them when it compiles the modules (first import without
# .pyc files). Import everything the search package uses once under a filter limited to
# those two warnings and to Whoosh's own files, so that `-W error` still applies elsewhere.
with warnings.catch_warnings():
    # Compile-time warnings carry the file path as module name, hence ".*whoosh".
    warnings.filterwarnings("ignore", "invalid escape sequence", DeprecationWarning, ".*whoosh")
    warnings.filterwarnings("ignore", '"is" with a literal', SyntaxWarning, ".*whoosh")
    import whoosh.analysis  # noqa: F401
    import whoosh.codec.whoosh3  # noqa: F401
    import whoosh.highlight  # noqa: F401
    import whoosh.lang.snowball.german  # noqa: F401
    import whoosh.multiproc  # noqa: F401

from kbm_map.search import SearchIndex  # noqa: E402

Doc = dict[str, Any]


def make_doc(doc_id: str, title: str, **fields: Any) -> Doc:
    """Return a search document with neutral defaults for everything not given."""
    doc: Doc = {
        "id": doc_id,
        "type": doc_id.split(":")[0],
        "title": title,
        "description": "",
        "kind": "",
        "kind_code": "",
        "areas": [],
        "topics": [],
        "topic_codes": [],
        "target_groups": [],
        "languages": ["de"],
        "provider": "",
        "place": "",
        "region": "03241001",
        "min_age": None,
        "max_age": None,
        "free": False,
        "step_free": False,
        "online": False,
        "dates": [],
        "lon": None,
        "lat": None,
        "name_sort": title.lower(),
    }
    doc.update(fields)
    return doc


@pytest.fixture
def doc() -> Callable[..., Doc]:
    """Return the document factory."""
    return make_doc


@pytest.fixture
def search_index(tmp_path) -> SearchIndex:  # noqa: ANN001
    """Return an empty index in a temporary directory."""
    index = SearchIndex(tmp_path / "search", writer_timeout=10)
    yield index
    index.close()


@pytest.fixture
def indexed(search_index: SearchIndex) -> Callable[..., SearchIndex]:
    """Return a function that indexes documents and returns the index."""

    def index_docs(*docs: Doc) -> SearchIndex:
        search_index.index(docs)
        return search_index

    return index_docs
