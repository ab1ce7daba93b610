"""Keep the search index in step with every write: in the same transaction where it can be.

A transactional backend (PostgreSQL) writes its documents in the session's transaction, so
data and index commit or roll back together. Whoosh writes to disk after the commit; if that
fails, the data stays saved and the caller gets a note (`kbm-map reindex` catches up).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..finding.documents import documents
from ..finding.engine import search_backend
from ..models import offer_locations
from ..search import document_id

CHUNK = 2_000


def index_entries(location_ids: Iterable[int] = (), offer_ids: Iterable[int] = ()) -> int:
    """Bring the given entries up to date in the index; unpublished ones are removed from it."""
    location_ids, offer_ids = sorted(set(location_ids)), sorted(set(offer_ids))
    docs = list(documents(location_ids, offer_ids))
    found = {doc["id"] for doc in docs}
    gone = [document_id("location", i) for i in location_ids]
    gone += [document_id("offer", i) for i in offer_ids]
    backend = search_backend()
    if docs:
        backend.index(docs)
    missing = [doc_id for doc_id in gone if doc_id not in found]
    if missing:
        backend.remove(missing)
    return len(docs)


def remove_entries(location_ids: Iterable[int] = (), offer_ids: Iterable[int] = ()) -> None:
    """Take entries out of the index (archived or deleted)."""
    ids = [document_id("location", i) for i in location_ids]
    ids += [document_id("offer", i) for i in offer_ids]
    if ids:
        search_backend().remove(ids)


def offers_at(location_ids: Iterable[int]) -> set[int]:
    """Return the Angebote held at these Lernorte (they show the Lernort's name and place)."""
    places, offers = sorted(set(location_ids)), set()
    for start in range(0, len(places), CHUNK):
        stmt = select(offer_locations.c.offer_id).where(
            offer_locations.c.location_id.in_(places[start : start + CHUNK])
        )
        offers.update(db.session.scalars(stmt))
    return offers


def commit_with_index(write_index: Callable[[], object]) -> str | None:
    """Commit the session together with an index update; return a note if the index lags.

    With a transactional backend the update runs first, in the same transaction: an error
    rolls both back and propagates (SearchIndexBusyError while a rebuild holds the index;
    the error pages answer it with 503). Otherwise the data is committed first and an index
    error only becomes the note.
    """
    if search_backend().transactional:
        try:
            db.session.flush()
            write_index()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return None
    db.session.commit()
    try:
        write_index()
    except Exception as error:  # noqa: BLE001 - the data is saved; a rebuild catches up
        current_app.logger.exception("search index not updated")
        return f"search index not updated ({error}); run `kbm-map reindex`"
    return None


def commit_and_reindex(
    location_ids: Iterable[int] = (), offer_ids: Iterable[int] = ()
) -> str | None:
    """Commit the session and bring these entries (and the Angebote at the Lernorte) up to date."""
    location_ids = sorted(set(location_ids))
    offer_ids = sorted(set(offer_ids) | offers_at(location_ids))
    return commit_with_index(lambda: index_entries(location_ids, offer_ids))


def rebuild_index() -> int:
    """Rebuild the whole index from the database (committed with it); return the count."""
    backend = search_backend()
    count = backend.rebuild(documents())
    if backend.transactional:
        db.session.commit()
    return count
