"""Keep the search index in step with the database: build documents, index, remove, rebuild."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask import current_app
from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import Text, cast, select

from ..extensions import db
from ..models import (
    CostKind,
    Location,
    Offer,
    OfferSession,
    Organization,
    Region,
    Status,
    Term,
    Vocabulary,
    offer_locations,
)
from ..models.taxonomy import location_areas, offer_areas, offer_target_groups, offer_topics
from ..search import SearchIndex
from .taxonomy import kind_synonyms

BATCH = 2_000


def search_index() -> SearchIndex:
    """Return this app's search index, opened once per process."""
    extensions = current_app.extensions
    if "kbm_search" not in extensions:
        extensions["kbm_search"] = SearchIndex(current_app.config["SEARCH_INDEX_DIR"])
    return extensions["kbm_search"]


def kind_words(code: str, label: str) -> str:
    """Return the searchable words of a kind: its German label and its synonyms."""
    return " ".join((label, *kind_synonyms().get(code, ())))


@dataclass(frozen=True)
class _Taxonomy:
    """Every term as the documents need it, read once per run (the taxonomy is small)."""

    codes: dict[int, str]
    labels: dict[int, str]  # German
    order: dict[int, tuple[int, str]]  # sort key: position (as the relationships), code
    kinds: dict[int, str]  # kind words of the location kinds

    @classmethod
    def load(cls) -> _Taxonomy:
        """Read the terms table."""
        terms = Term.__table__.c
        rows = db.session.execute(
            select(terms.id, terms.vocabulary, terms.code, terms.labels, terms.position)
        ).all()
        # Term.label works on anything with labels and code: the model's fallbacks, on rows.
        labels = {row.id: Term.label(row, "de") for row in rows}
        return cls(
            codes={row.id: row.code for row in rows},
            labels=labels,
            order={row.id: (row.position, row.code) for row in rows},
            kinds={
                row.id: kind_words(row.code, labels[row.id])
                for row in rows
                if row.vocabulary == Vocabulary.LOCATION_KIND.value
            },
        )


_locations, _offers = Location.__table__, Offer.__table__
_PUBLISHED = Status.PUBLISHED.value  # what ListingMixin.is_public checks
_NO_PLACE = {
    "kind": "",
    "kind_code": "",
    "place": "",
    "region": "",
    "step_free": False,
    "lon": None,
    "lat": None,
}


def _as_text(column):
    """Read a JSON column as its text, to be parsed by _json_list."""
    return cast(column, Text).label(column.name)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str):
    """Parse JSON text; a column like languages has few distinct values, each parsed once."""
    return json.loads(text)


def _json_list(text: str | None) -> list:
    """Return the list a JSON column read by _as_text holds; [] for NULL and null."""
    value = _parsed(text) if text else None
    return list(value) if isinstance(value, list) else value or []  # a copy: cached, shared


def _with_provider_and_region(stmt, table):
    """Add the provider name (and, for Lernorte, the AGS code of the region) to a select."""
    # Table columns, not ORM attributes, so that rows skip the ORM's result handling.
    organizations, regions = Organization.__table__, Region.__table__
    stmt = stmt.add_columns(organizations.c.name.label("provider")).outerjoin(
        organizations, organizations.c.id == table.c.organization_id
    )
    if table is _locations:
        stmt = stmt.add_columns(regions.c.code.label("region")).outerjoin(
            regions, regions.c.id == table.c.region_id
        )
    return stmt


_LOCATION_ROWS = _with_provider_and_region(
    select(
        *(_locations.c[name] for name in ("id", "name", "description", "kind_id")),
        _as_text(_locations.c.languages),
        *(_locations.c[name] for name in ("street", "house_number", "postcode", "city")),
        _locations.c.step_free,
        ST_X(_locations.c.geom).label("lon"),
        ST_Y(_locations.c.geom).label("lat"),
    ).where(_locations.c.status == _PUBLISHED),
    _locations,
)
_OFFER_ROWS = _with_provider_and_region(
    select(
        *(_offers.c[name] for name in ("id", "title", "description")),
        _as_text(_offers.c.languages),
        _offers.c.online,
        *(_offers.c[name] for name in ("min_age", "max_age", "valid_from", "valid_until")),
        (_offers.c.cost_kind == CostKind.FREE.value).label("free"),  # as Offer.is_free
    ).where(_offers.c.status == _PUBLISHED),
    _offers,
)


def _batches(stmt, table, ids: list[int] | None) -> Iterator[tuple[list, Callable]]:
    """Yield the rows of stmt BATCH at a time in id order, each with a filter for their links.

    Links of a full scan are read by id range, which includes those of unpublished entries
    in between (ignored), but reads an index range instead of binding thousands of ids.
    """
    stmt = stmt.order_by(table.c.id)
    if ids is not None:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            rows = db.session.execute(stmt.where(table.c.id.in_(chunk))).all()
            if rows:
                found = [row.id for row in rows]
                yield rows, lambda column, found=found: column.in_(found)
        return
    last = 0
    while True:
        rows = db.session.execute(stmt.where(table.c.id > last).limit(BATCH)).all()
        if not rows:
            return
        span = (rows[0].id, rows[-1].id)
        yield rows, lambda column, span=span: column.between(*span)
        last = span[1]


def _grouped(stmt) -> dict[int, list]:
    """Return {first column: [second column, …]} for the rows of a two-column select."""
    found: dict[int, list] = defaultdict(list)
    # In slices: quicker than one list of all rows or row by row (and its rows die young).
    for rows in db.session.execute(stmt).partitions(100):
        for owner, value in rows:
            found[owner].append(value)
    return found


def _terms(table, owner: str, in_batch: Callable, taxonomy: _Taxonomy) -> dict[int, list[int]]:
    """Return {listing id: [term id, …] in taxonomy order} from a link table."""
    column = table.c[owner]
    found = _grouped(select(column, table.c.term_id).where(in_batch(column)))
    for term_ids in found.values():
        if len(term_ids) > 1:
            term_ids.sort(key=taxonomy.order.__getitem__)
    return found


def _location_documents(ids: list[int] | None, taxonomy: _Taxonomy) -> Iterator[dict]:
    """Yield the documents of published Lernorte (all, or those among ids)."""
    codes, kinds = taxonomy.codes, taxonomy.kinds
    for rows, in_batch in _batches(_LOCATION_ROWS, _locations, ids):
        areas = _terms(location_areas, "location_id", in_batch, taxonomy)
        for row in rows:
            yield {
                "id": f"location:{row.id}",
                "type": "location",
                "title": row.name,
                "description": row.description or "",
                "kind": kinds.get(row.kind_id, ""),
                "kind_code": codes.get(row.kind_id, ""),
                "areas": [codes[i] for i in areas.get(row.id, ())],
                "languages": _json_list(row.languages),
                "provider": row.provider or "",
                "place": Location.address.fget(row),
                "region": row.region or "",
                "step_free": bool(row.step_free),
                "lon": row.lon,
                "lat": row.lat,
                "name_sort": row.name,
            }


class _Places:
    """The published Lernorte offers are placed at, read as needed and kept for the run."""

    KEPT = 50_000  # forget them all beyond this many, so memory stays flat

    def __init__(self, taxonomy: _Taxonomy):
        self.taxonomy = taxonomy
        self.known: dict[int, dict | None] = {}  # None: not published

    def first(self, location_ids: list[int]) -> dict:
        """Return the place fields of the first published Lernort among the ids."""
        known = self.known
        return next((known[i] for i in location_ids if known[i]), _NO_PLACE)

    def read(self, location_ids: set[int]) -> None:
        """Read those of the Lernorte not read yet."""
        missing = [i for i in location_ids if i not in self.known]
        if len(self.known) + len(missing) > self.KEPT:
            self.known.clear()
            missing = list(location_ids)
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            self.known.update(dict.fromkeys(chunk))
            stmt = _LOCATION_ROWS.where(_locations.c.id.in_(chunk))
            for row in db.session.execute(stmt):
                self.known[row.id] = {
                    "kind": self.taxonomy.kinds.get(row.kind_id, ""),
                    "kind_code": self.taxonomy.codes.get(row.kind_id, ""),
                    "place": f"{row.name}, {Location.address.fget(row)}",
                    "region": row.region or "",
                    "step_free": bool(row.step_free),
                    "lon": row.lon,
                    "lat": row.lat,
                }


def _offer_documents(ids: list[int] | None, taxonomy: _Taxonomy) -> Iterator[dict]:
    """Yield the documents of published Angebote (all, or those among ids)."""
    codes, labels = taxonomy.codes, taxonomy.labels
    places = _Places(taxonomy)
    link, session = offer_locations.c, OfferSession.__table__.c
    for rows, in_batch in _batches(_OFFER_ROWS, _offers, ids):
        # Offer.locations has no order of its own: "first" is the lowest id, as in exports.
        links = _grouped(
            select(link.offer_id, link.location_id)
            .where(in_batch(link.offer_id))
            .order_by(link.offer_id, link.location_id)
        )
        places.read({i for row in rows for i in links.get(row.id, ())})
        areas = _terms(offer_areas, "offer_id", in_batch, taxonomy)
        topics = _terms(offer_topics, "offer_id", in_batch, taxonomy)
        groups = _terms(offer_target_groups, "offer_id", in_batch, taxonomy)
        starts = _grouped(
            select(session.offer_id, session.starts_at)
            .where(in_batch(session.offer_id))
            .order_by(session.offer_id, session.starts_at)
        )
        # Unpacked in the order of _OFFER_ROWS: quicker than attribute access on 100,000 rows.
        for oid, title, text, languages, online, min_age, max_age, since, until, free, by in rows:
            place = places.first(links.get(oid, ()))
            topic_ids = topics.get(oid, ())
            dates = [starts_at.date() for starts_at in starts.get(oid, ())]
            yield {
                "id": f"offer:{oid}",
                "type": "offer",
                "title": title,
                "description": text or "",
                "kind": place["kind"],
                "kind_code": place["kind_code"],
                "areas": [codes[i] for i in areas.get(oid, ())],
                "topics": [labels[i] for i in topic_ids],
                "topic_codes": [codes[i] for i in topic_ids],
                "target_groups": [codes[i] for i in groups.get(oid, ())],
                "languages": _json_list(languages),
                "provider": by or "",
                "place": place["place"],
                "region": place["region"],
                "min_age": min_age,
                "max_age": max_age,
                "free": free,
                "step_free": place["step_free"],
                "online": online,
                "dates": dates,
                "start": since or (min(dates) if dates else None),
                "end": until,
                "lon": place["lon"],
                "lat": place["lat"],
                "name_sort": title,
            }


def documents(
    location_ids: list[int] | None = None, offer_ids: list[int] | None = None
) -> Iterator[dict]:
    """Yield search documents for published Lernorte and Angebote (all when ids are None)."""
    taxonomy = _Taxonomy.load()
    if location_ids is None or location_ids:
        yield from _location_documents(location_ids, taxonomy)
    if offer_ids is None or offer_ids:
        yield from _offer_documents(offer_ids, taxonomy)


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
