"""Writes on both backends: rebuilds, failed rebuilds, indexes built for other facets."""

from __future__ import annotations

import pytest

from kbm_map.finding.filters import LAYOUT
from kbm_map.search import (
    FacetLayout,
    PostgresBackend,
    SearchIndexOutdatedError,
    SearchQuery,
    WhooshBackend,
)

OTHER_LAYOUT = FacetLayout(lists=LAYOUT.lists + ("colour",), flags=LAYOUT.flags)


def ids(index, **query):  # noqa: ANN001, ANN201
    """Return the ids found, in result order."""
    return [hit.id for hit in index.query(SearchQuery(**query)).hits]


def reopened(index, layout: FacetLayout):  # noqa: ANN001, ANN201
    """Return the same index opened as another process with another facet layout would."""
    if isinstance(index, WhooshBackend):
        return WhooshBackend(index.directory, layout)
    return PostgresBackend(layout, session=index.session)


def test_rebuild_replaces_every_document(indexed, doc):
    index = indexed(doc("offer:1", "Yoga"), doc("offer:2", "Tanz"))
    assert index.rebuild(doc(f"offer:{n}", f"Schach {n}") for n in range(3, 6)) == 3
    assert ids(index) == ["offer:3", "offer:4", "offer:5"] and index.count() == 3
    index.index([doc("offer:1", "Yoga")])
    assert ids(index, text="Yoga") == ["offer:1"]


def test_failed_rebuild_keeps_the_index(indexed, doc):
    index = indexed(doc("offer:1", "Yoga"))

    def broken():  # noqa: ANN202 - a database cursor that fails midway
        yield doc("offer:2", "Tanz")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        index.rebuild(broken())
    assert ids(index) == ["offer:1"]
    index.index([doc("offer:3", "Schach")])
    assert ids(index) == ["offer:3", "offer:1"]  # by name


def test_an_index_built_for_other_facets_needs_a_rebuild(indexed, doc):
    index = indexed(doc("offer:1", "Yoga"))
    other = reopened(index, OTHER_LAYOUT)
    with pytest.raises(SearchIndexOutdatedError, match="kbm-map reindex"):
        other.query(SearchQuery())
    with pytest.raises(SearchIndexOutdatedError):
        other.index([doc("offer:2", "Tanz")])
    with pytest.raises(SearchIndexOutdatedError):
        other.count()
    assert other.rebuild([doc("offer:2", "Tanz", terms={"colour": ["red"]})]) == 1
    assert ids(other, terms={"colour": ["red"]}) == ["offer:2"]
    with pytest.raises(SearchIndexOutdatedError):
        reopened(index, LAYOUT).query(SearchQuery())  # now the first layout is the old one


def test_a_whoosh_index_of_the_old_format_needs_a_rebuild(whoosh_index, doc):
    whoosh_index.index([doc("offer:1", "Yoga")])
    generation = whoosh_index.directory / (whoosh_index.directory / "CURRENT").read_text()
    (generation / "LAYOUT").unlink()  # as written before the facet layout was stored
    old = WhooshBackend(whoosh_index.directory, LAYOUT)
    assert old.outdated()
    with pytest.raises(SearchIndexOutdatedError, match="older kbm-map"):
        old.query(SearchQuery())
    assert old.rebuild([doc("offer:2", "Tanz")]) == 1
    assert not old.outdated()
    assert ids(old) == ["offer:2"]
