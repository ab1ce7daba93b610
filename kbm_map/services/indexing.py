"""Keep the search index in step with the database: build documents, index, remove, rebuild."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import current_app
from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Location, Offer, Region, Status
from ..search import SearchIndex
from .taxonomy import kind_synonyms

BATCH = 2_000


def search_index() -> SearchIndex:
    """Return this app's search index, opened once per process."""
    extensions = current_app.extensions
    if "kbm_search" not in extensions:
        extensions["kbm_search"] = SearchIndex(current_app.config["SEARCH_INDEX_DIR"])
    return extensions["kbm_search"]


def _positions(location_ids: Iterable[int]) -> dict[int, tuple[float, float]]:
    """Return {location id: (lon, lat)} for the located ones among the ids."""
    ids = list(set(location_ids))
    positions: dict[int, tuple[float, float]] = {}
    for start in range(0, len(ids), BATCH):
        stmt = select(Location.id, ST_X(Location.geom), ST_Y(Location.geom)).where(
            Location.id.in_(ids[start : start + BATCH]), Location.geom.isnot(None)
        )
        positions.update({row[0]: (row[1], row[2]) for row in db.session.execute(stmt)})
    return positions


def _region_codes() -> dict[int, str]:
    """Return {region id: AGS code}."""
    return dict(db.session.execute(select(Region.id, Region.code)).all())


def kind_words(kind) -> str:
    """Return the searchable words of a kind: its German label and its synonyms."""
    if kind is None:
        return ""
    return " ".join((kind.label("de"), *kind_synonyms().get(kind.code, ())))


def location_document(location: Location, position, regions: dict[int, str]) -> dict:
    """Return the search document of a Lernort."""
    kind = location.kind
    return {
        "id": f"location:{location.id}",
        "type": "location",
        "title": location.name,
        "description": location.description or "",
        "kind": kind_words(kind),
        "kind_code": kind.code if kind else "",
        "areas": [a.code for a in location.areas],
        "languages": location.languages or [],
        "provider": location.organization.name if location.organization else "",
        "place": location.address,
        "region": regions.get(location.region_id, ""),
        "step_free": bool(location.step_free),
        "lon": position[0] if position else None,
        "lat": position[1] if position else None,
        "name_sort": location.name,
    }


def offer_document(offer: Offer, positions: dict, regions: dict[int, str]) -> dict:
    """Return the search document of an Angebot (placed at its first Lernort)."""
    place = next((loc for loc in offer.locations if loc.is_public), None)
    position = positions.get(place.id) if place else None
    dates = [s.starts_at.date() for s in offer.sessions]
    return {
        "id": f"offer:{offer.id}",
        "type": "offer",
        "title": offer.title,
        "description": offer.description or "",
        "kind": kind_words(place.kind) if place else "",
        "kind_code": place.kind.code if place and place.kind else "",
        "areas": [a.code for a in offer.areas],
        "topics": [t.label("de") for t in offer.topics],
        "topic_codes": [t.code for t in offer.topics],
        "target_groups": [g.code for g in offer.target_groups],
        "languages": offer.languages or [],
        "provider": offer.organization.name if offer.organization else "",
        "place": f"{place.name}, {place.address}" if place else "",
        "region": regions.get(place.region_id, "") if place else "",
        "min_age": offer.min_age,
        "max_age": offer.max_age,
        "free": offer.is_free,
        "step_free": bool(place.step_free) if place else False,
        "online": offer.online,
        "dates": dates,
        "start": offer.valid_from or (min(dates) if dates else None),
        "end": offer.valid_until,
        "lon": position[0] if position else None,
        "lat": position[1] if position else None,
        "name_sort": offer.title,
    }


def _location_batches(ids: list[int] | None) -> Iterator[list[Location]]:
    """Yield published Lernorte (all, or those among ids) in batches with their relations."""
    stmt = (
        select(Location)
        .where(Location.status == Status.PUBLISHED.value)
        .options(
            selectinload(Location.kind),
            selectinload(Location.areas),
            selectinload(Location.organization),
        )
        .order_by(Location.id)
    )
    yield from _batches(stmt, Location, ids)


def _offer_batches(ids: list[int] | None) -> Iterator[list[Offer]]:
    """Yield published Angebote (all, or those among ids) in batches with their relations."""
    stmt = (
        select(Offer)
        .where(Offer.status == Status.PUBLISHED.value)
        .options(
            selectinload(Offer.locations).selectinload(Location.kind),
            selectinload(Offer.areas),
            selectinload(Offer.topics),
            selectinload(Offer.target_groups),
            selectinload(Offer.sessions),
            selectinload(Offer.organization),
        )
        .order_by(Offer.id)
    )
    yield from _batches(stmt, Offer, ids)


def _batches(stmt, model, ids: list[int] | None) -> Iterator[list]:
    """Run stmt in id-ranged batches so memory stays flat for 100,000 rows."""
    if ids is not None:
        for start in range(0, len(ids), BATCH):
            yield list(db.session.scalars(stmt.where(model.id.in_(ids[start : start + BATCH]))))
        return
    last = 0
    while True:
        batch = list(db.session.scalars(stmt.where(model.id > last).limit(BATCH)))
        if not batch:
            return
        yield batch
        last = batch[-1].id
        db.session.expunge_all()  # keep the identity map small


def documents(location_ids: list[int] | None = None, offer_ids: list[int] | None = None):
    """Yield search documents for published Lernorte and Angebote (all when ids are None)."""
    regions = _region_codes()
    if location_ids is None or location_ids:
        for batch in _location_batches(location_ids):
            positions = _positions(loc.id for loc in batch)
            for location in batch:
                yield location_document(location, positions.get(location.id), regions)
    if offer_ids is None or offer_ids:
        for batch in _offer_batches(offer_ids):
            positions = _positions(loc.id for offer in batch for loc in offer.locations)
            for offer in batch:
                yield offer_document(offer, positions, regions)


def index_entries(location_ids: Iterable[int] = (), offer_ids: Iterable[int] = ()) -> int:
    """Bring the given entries up to date in the index; unpublished ones are removed from it."""
    location_ids, offer_ids = sorted(set(location_ids)), sorted(set(offer_ids))
    docs = list(documents(location_ids, offer_ids))
    found = {doc["id"] for doc in docs}
    gone = [f"location:{i}" for i in location_ids] + [f"offer:{i}" for i in offer_ids]
    index = search_index()
    if docs:
        index.index(docs)
    missing = [doc_id for doc_id in gone if doc_id not in found]
    if missing:
        index.remove(missing)
    return len(docs)


def remove_entries(location_ids: Iterable[int] = (), offer_ids: Iterable[int] = ()) -> None:
    """Take entries out of the index (archived or deleted)."""
    ids = [f"location:{i}" for i in location_ids] + [f"offer:{i}" for i in offer_ids]
    if ids:
        search_index().remove(ids)


def rebuild_index() -> int:
    """Rebuild the whole index from the database into a new generation; return the count."""
    return search_index().rebuild(documents(), procs=2)
