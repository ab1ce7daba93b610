"""The index outbox: index work committed with the data until the index has it.

tests/test_interrupted_writes.py kills real commands; these tests check the parts in one
process, on both databases and (search_backends) the transactional PostgreSQL backend.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kbm_map.extensions import db
from kbm_map.finding import search_backend
from kbm_map.models import IndexOutbox, Location
from kbm_map.search import SearchQuery
from kbm_map.services.indexing import (
    PendingWork,
    catch_up,
    commit_with_index,
    index_entries,
    pending_work,
    rebuild_index,
)

pytestmark = pytest.mark.search_backends


def found(text: str) -> set[str]:
    """Return the ids the index finds for a text."""
    return {hit.id for hit in search_backend().query(SearchQuery(text=text, per_page=100)).hits}


def outbox_rows() -> int:
    """Return the number of rows in the outbox."""
    return db.session.scalar(select(func.count()).select_from(IndexOutbox))


def add_place(name: str) -> Location:
    """Add a published Lernort to the session (not committed)."""
    place = Location(name=name, slug=name.lower(), status="published")
    db.session.add(place)
    db.session.flush()
    return place


def failing_write() -> None:
    """Stand for an index write that fails after the data's commit (disk full, say)."""
    raise OSError("no space left on device")


def test_a_failed_index_write_stays_pending_until_the_catch_up(app_ctx):
    place = add_place("Zauberwaldbibliothek")
    if search_backend().transactional:  # data and index share the transaction: nothing left
        with pytest.raises(OSError):
            commit_with_index(failing_write, location_ids=[place.id])
        assert db.session.scalar(select(func.count()).select_from(Location)) == 0
        assert outbox_rows() == 0
        return
    note = commit_with_index(failing_write, location_ids=[place.id])
    assert note.startswith("search index not updated (no space left on device)")
    assert found("Zauberwaldbibliothek") == set()
    work = pending_work()
    assert (work.entries, work.rebuild, work.since is not None) == (1, False, True)

    place.status = "archived"  # deleted meanwhile: the catch-up takes it out
    db.session.commit()
    index_entries(location_ids=[place.id])
    other = add_place("Sternwarte")
    commit_with_index(failing_write, location_ids=[other.id])
    assert catch_up() == 2
    assert found("Zauberwaldbibliothek") == set()
    assert found("Sternwarte") == {f"location:{other.id}"}
    assert outbox_rows() == 0
    assert catch_up() == 0  # nothing left: one query


def test_a_successful_write_and_a_rebuild_leave_no_pending_work(app_ctx):
    place = add_place("Sternwarte")
    assert commit_with_index(lambda: index_entries([place.id]), location_ids=[place.id]) is None
    assert outbox_rows() == 0 and found("Sternwarte") == {f"location:{place.id}"}
    if not search_backend().transactional:
        commit_with_index(failing_write, everything=True)
        assert pending_work().rebuild
    assert rebuild_index() == 1
    assert outbox_rows() == 0 and pending_work() == PendingWork(0, False, None)
