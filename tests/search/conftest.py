"""Fixtures for the search engine: a fresh index and small German documents."""

from __future__ import annotations

import warnings
from collections.abc import Callable

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

from search_documents import Doc, make_doc  # noqa: E402

from kbm_map.finding.filters import LAYOUT  # noqa: E402
from kbm_map.search import WhooshBackend  # noqa: E402


@pytest.fixture
def doc() -> Callable[..., Doc]:
    """Return the document factory."""
    return make_doc


@pytest.fixture
def search_index(tmp_path) -> WhooshBackend:  # noqa: ANN001
    """Return an empty index in a temporary directory."""
    index = WhooshBackend(tmp_path / "search", LAYOUT, writer_timeout=10)
    yield index
    index.close()


@pytest.fixture
def indexed(search_index: WhooshBackend) -> Callable[..., WhooshBackend]:
    """Return a function that indexes documents and returns the index."""

    def index_docs(*docs: Doc) -> WhooshBackend:
        search_index.index(docs)
        return search_index

    return index_docs
