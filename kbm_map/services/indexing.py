"""Keep the search index in step with every write: in the same transaction where it can be.

A transactional backend (PostgreSQL) writes its documents in the session's transaction, so
data and index commit or roll back together. Whoosh writes to disk after the commit, so the
write first records its index work in the outbox (table index_outbox) in the data's own
transaction and deletes it once the index has it. Work left there by a write that failed or
was killed in between is done by `catch_up`, which every write command and every server start
run first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from flask import Flask, current_app
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from ..extensions import db
from ..finding.documents import documents
from ..finding.engine import search_backend
from ..models import IndexOutbox, offer_locations, utcnow
from ..search import SearchIndexBusyError, document_id

CHUNK = 2_000


def index_entries(location_ids: Iterable[int] = (), offer_ids: Iterable[int] = ()) -> int:
    """Bring the given entries up to date in the index; unpublished ones are removed from it."""
    location_ids, offer_ids = sorted(set(location_ids)), sorted(set(offer_ids))
    backend = search_backend()
    # A disk index: read and write under its update lock, so that no older document is
    # written over a newer one (several workers catching up, two edits of one entry).
    updating = getattr(backend, "updating", contextlib.nullcontext)
    with updating():
        docs = list(documents(location_ids, offer_ids))
        found = {doc["id"] for doc in docs}
        gone = [document_id("location", i) for i in location_ids]
        gone += [document_id("offer", i) for i in offer_ids]
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


def commit_with_index(
    write_index: Callable[[], object],
    location_ids: Iterable[int] = (),
    offer_ids: Iterable[int] = (),
    everything: bool = False,
) -> str | None:
    """Commit the session together with an index update; return a note if the index lags.

    With a transactional backend the update runs first, in the same transaction: an error
    rolls both back and propagates (SearchIndexBusyError while a rebuild holds the index;
    the error pages answer it with 503). Otherwise the entries the update covers (or, with
    everything, a whole rebuild) go into the outbox with the data's commit; the outbox rows
    go once the update has succeeded, and an index error only becomes the note.
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
    batch = record_pending(location_ids, offer_ids, everything=everything)
    db.session.commit()
    return finish_pending(batch, write_index)


def commit_and_reindex(
    location_ids: Iterable[int] = (), offer_ids: Iterable[int] = ()
) -> str | None:
    """Commit the session and bring these entries (and the Angebote at the Lernorte) up to date."""
    location_ids = sorted(set(location_ids))
    offer_ids = sorted(set(offer_ids) | offers_at(location_ids))
    return commit_with_index(
        lambda: index_entries(location_ids, offer_ids), location_ids, offer_ids
    )


def record_pending(
    location_ids: Iterable[int] = (), offer_ids: Iterable[int] = (), everything: bool = False
) -> str | None:
    """Add index work to the outbox in the session's transaction; return its batch name.

    everything records a whole rebuild instead of single entries. None if there is no work.
    """
    now, batch = utcnow(), uuid4().hex
    if everything:
        rows = [{"kind": "all", "entity_id": None}]
    else:
        rows = [{"kind": "location", "entity_id": i} for i in sorted(set(location_ids))]
        rows += [{"kind": "offer", "entity_id": i} for i in sorted(set(offer_ids))]
    if not rows:
        return None
    rows = [{**row, "batch": batch, "created_at": now} for row in rows]
    db.session.execute(insert(IndexOutbox), rows)
    return batch


def finish_pending(batch: str | None, write_index: Callable[[], object]) -> str | None:
    """Do a committed write's index work, then drop its outbox rows; return a note on error."""
    if batch is None:
        return None
    try:
        write_index()
        clear_pending([batch])
    except Exception as error:  # noqa: BLE001 - the data and its outbox rows are saved
        db.session.rollback()
        current_app.logger.warning("search index not updated: %s", error)
        return (
            f"search index not updated ({error}); the next kbm-map command catches up, "
            "or run `kbm-map reindex`"
        )
    return None


def clear_pending(batches: Iterable[str]) -> None:
    """Delete the outbox rows of these batches and commit (with the index, if transactional)."""
    batches = sorted(set(batches))
    for start in range(0, len(batches), CHUNK):
        part = batches[start : start + CHUNK]
        db.session.execute(delete(IndexOutbox).where(IndexOutbox.batch.in_(part)))
    db.session.commit()


def _pending_batches() -> list[str]:
    """Return the batches in the outbox that this session can see (committed ones)."""
    return list(db.session.scalars(select(IndexOutbox.batch).distinct()))


def catch_up() -> int:
    """Do the index work that interrupted writes left in the outbox; return the entries done.

    Cheap when the outbox is empty (one query); a database without the table yet (before
    `kbm-map init-db`) has nothing to catch up. Entries deleted meanwhile leave the index.
    """
    try:
        rows = db.session.execute(
            select(IndexOutbox.batch, IndexOutbox.kind, IndexOutbox.entity_id)
        ).all()
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        return 0
    if not rows:
        db.session.rollback()  # end the read transaction
        return 0
    if any(row.kind == "all" for row in rows):
        return rebuild_index()  # clears every batch it could see
    locations = [row.entity_id for row in rows if row.kind == "location"]
    offers = [row.entity_id for row in rows if row.kind == "offer"]
    index_entries(locations, offers)
    clear_pending(row.batch for row in rows)
    return len(set(locations)) + len(set(offers))


@dataclass(frozen=True)
class PendingWork:
    """What the outbox holds: entries waiting for the index, and whether a rebuild is due."""

    entries: int
    rebuild: bool
    since: datetime | None


def pending_work() -> PendingWork:
    """Return the index work waiting in the outbox."""
    stmt = select(
        func.count(IndexOutbox.id).filter(IndexOutbox.kind != "all"),
        func.count(IndexOutbox.id).filter(IndexOutbox.kind == "all"),
        func.min(IndexOutbox.created_at),
    )
    entries, rebuilds, since = db.session.execute(stmt).one()
    return PendingWork(entries, rebuilds > 0, since)


def catch_up_at_start(app: Flask) -> None:
    """At server start, do the pending index work; a busy or failing index is only logged.

    Several workers may start at once: the work is idempotent, and a rebuild runs in one of
    them while the others find it busy.
    """
    with app.app_context():
        try:
            done = catch_up()
        except SearchIndexBusyError as busy:
            db.session.rollback()
            app.logger.warning("search index not caught up at start: %s", busy)
        except Exception:  # noqa: BLE001 - a server must start; the next write catches up
            db.session.rollback()
            app.logger.exception("search index not caught up at start")
        else:
            if done:
                app.logger.warning("search index caught up with %d pending entries", done)
        finally:
            db.session.remove()


def rebuild_index() -> int:
    """Rebuild the whole index from the database (committed with it); return the count.

    The outbox rows committed before the rebuild read the data are done by it and deleted.
    """
    batches = _pending_batches()
    count = search_backend().rebuild(documents())
    clear_pending(batches)
    return count
