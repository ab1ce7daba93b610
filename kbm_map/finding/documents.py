"""Search documents of the published Lernorte and Angebote, built from Core selects in batches.

Every filter of the registry (filters.py) fills its facet through its Source, so the
documents, the SQL conditions and the facets cannot disagree. See search/backend.py for the
keys of a document.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import select

from ..extensions import db
from ..models import Location, OfferSession, Organization, Term, Vocabulary, offer_locations
from ..search import document_id
from ..taxonomy import kind_synonyms
from .filters import (
    FILTERS,
    LOCATIONS,
    OFFERS,
    PUBLISHED,
    CodeList,
    Constant,
    Filter,
    FromPlaces,
    Source,
    TermColumn,
    TermLinks,
    Truth,
)

BATCH = 2_000


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


@functools.lru_cache(maxsize=4096)
def _parsed(text: str):
    """Parse JSON text; a column like languages has few distinct values, each parsed once."""
    return json.loads(text)


def _json_list(text: str | None) -> list:
    """Return the list a JSON column read as text holds; [] for NULL and null."""
    value = _parsed(text) if text else None
    return list(value) if isinstance(value, list) else value or []  # a copy: cached, shared


def _grouped(stmt) -> dict[int, list]:
    """Return {first column: [second column, …]} for the rows of a two-column select."""
    found: dict[int, list] = defaultdict(list)
    # In slices: quicker than one list of all rows or row by row (and its rows die young).
    for rows in db.session.execute(stmt).partitions(100):
        for owner, value in rows:
            found[owner].append(value)
    return found


class _Facets:
    """The registry's filters for one entity: the columns to select and how to read values."""

    def __init__(self, entity: str):
        """Prepare one reader per filter the entity has (columns, link tables, places)."""
        table = LOCATIONS if entity == "location" else OFFERS
        self.sources: list[tuple[Filter, Source]] = [
            (f, f.source(entity)) for f in FILTERS if f.source(entity) is not None
        ]
        self.columns = [
            source.column(table).label(f"facet_{f.name}")
            for f, source in self.sources
            if source.column(table) is not None
        ]
        self.readers = [(f.name, f.flag, _reader(f, source)) for f, source in self.sources]

    def read(self, row, links: dict, taxonomy: _Taxonomy, place: dict | None):
        """Return (terms, flags) of one entry; place holds the values of its Lernorte."""
        terms: dict[str, list[str]] = {}
        flags: dict[str, bool] = {}
        for name, flag, read in self.readers:
            if flag:
                flags[name] = bool(read(row, links, taxonomy, place))
            else:
                terms[name] = read(row, links, taxonomy, place)
        return terms, flags

    def links(self, in_batch: Callable, taxonomy: _Taxonomy) -> dict[str, dict[int, list[int]]]:
        """Read the link tables of one batch: {filter: {entry id: [term id, …]}}."""
        found = {}
        for f, source in self.sources:
            if isinstance(source, TermLinks):
                column = source.link.c[source.owner]
                grouped = _grouped(select(column, source.link.c.term_id).where(in_batch(column)))
                for term_ids in grouped.values():
                    if len(term_ids) > 1:
                        term_ids.sort(key=taxonomy.order.__getitem__)
                found[f.name] = grouped
        return found


def _reader(f: Filter, source: Source) -> Callable:
    """Return a function (row, links, taxonomy, place) -> the filter's value for an entry."""
    name, label = f.name, f"facet_{f.name}"
    if isinstance(source, FromPlaces):
        if f.flag:
            return lambda row, links, taxonomy, place: place["flags"][name]
        return lambda row, links, taxonomy, place: place["terms"][name]
    if isinstance(source, Constant):
        return lambda row, links, taxonomy, place: [source.value]
    if isinstance(source, TermLinks):
        return lambda row, links, taxonomy, place: [
            taxonomy.codes[i] for i in links[name].get(row.id, ())
        ]
    if isinstance(source, TermColumn):

        def term_code(row, links, taxonomy, place):
            term = getattr(row, label)
            return [taxonomy.codes[term]] if term in taxonomy.codes else []

        return term_code
    if isinstance(source, CodeList):
        return lambda row, links, taxonomy, place: [str(v) for v in _json_list(getattr(row, label))]
    if isinstance(source, Truth):
        return lambda row, links, taxonomy, place: bool(getattr(row, label))

    def plain(row, links, taxonomy, place):  # a code column, e.g. the region's AGS
        value = getattr(row, label)
        return [str(value)] if value else []

    return plain


_LOCATION_FACETS, _OFFER_FACETS = _Facets("location"), _Facets("offer")
_PROVIDER = Organization.__table__.c.name.label("provider")


def _location_rows():
    """Select published Lernorte with what their documents need."""
    organizations = Organization.__table__
    return (
        select(
            *(LOCATIONS.c[name] for name in ("id", "name", "description", "kind_id")),
            *(LOCATIONS.c[name] for name in ("street", "house_number", "postcode", "city")),
            ST_X(LOCATIONS.c.geom).label("lon"),
            ST_Y(LOCATIONS.c.geom).label("lat"),
            _PROVIDER,
            *_LOCATION_FACETS.columns,
        )
        .outerjoin(organizations, organizations.c.id == LOCATIONS.c.organization_id)
        .where(LOCATIONS.c.status == PUBLISHED)
    )


def _offer_rows():
    """Select published Angebote with what their documents need."""
    organizations = Organization.__table__
    return (
        select(
            *(OFFERS.c[name] for name in ("id", "title", "description")),
            *(OFFERS.c[name] for name in ("min_age", "max_age", "valid_from", "valid_until")),
            _PROVIDER,
            *_OFFER_FACETS.columns,
        )
        .outerjoin(organizations, organizations.c.id == OFFERS.c.organization_id)
        .where(OFFERS.c.status == PUBLISHED)
    )


_LOCATION_ROWS, _OFFER_ROWS = _location_rows(), _offer_rows()


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


def _location_document(row, links, taxonomy: _Taxonomy) -> dict:
    """Return the document of one published Lernort."""
    terms, flags = _LOCATION_FACETS.read(row, links, taxonomy, None)
    return {
        "id": document_id("location", row.id),
        "type": "location",
        "title": row.name,
        "description": row.description or "",
        "kind": taxonomy.kinds.get(row.kind_id, ""),
        "topics": [],
        "provider": row.provider or "",
        "place": Location.address.fget(row),
        "terms": terms,
        "flags": flags,
        "lon": row.lon,
        "lat": row.lat,
        "name_sort": row.name,
    }


def _location_documents(ids: list[int] | None, taxonomy: _Taxonomy) -> Iterator[dict]:
    """Yield the documents of published Lernorte (all, or those among ids)."""
    for rows, in_batch in _batches(_LOCATION_ROWS, LOCATIONS, ids):
        links = _LOCATION_FACETS.links(in_batch, taxonomy)
        for row in rows:
            yield _location_document(row, links, taxonomy)


class _Places:
    """The published Lernorte Angebote are held at, read as needed and kept for the run."""

    KEPT = 50_000  # forget them all beyond this many, so memory stays flat

    def __init__(self, taxonomy: _Taxonomy):
        self.taxonomy = taxonomy
        self.known: dict[int, dict | None] = {}  # None: not published

    def of(self, location_ids: list[int]) -> dict:
        """Return what an Angebot takes from its published Lernorte (in id order)."""
        places = [self.known[i] for i in location_ids if self.known[i]]
        first = places[0] if places else None
        terms: dict[str, list[str]] = defaultdict(list)
        flags: dict[str, bool] = defaultdict(bool)
        for place in places:
            for name, values in place["terms"].items():
                terms[name].extend(v for v in values if v not in terms[name])
            for name, value in place["flags"].items():
                flags[name] = flags[name] or value
        return {
            "kind": first["kind"] if first else "",
            "place": first["place"] if first else "",
            "lon": first["lon"] if first else None,
            "lat": first["lat"] if first else None,
            "terms": terms,
            "flags": flags,
        }

    def read(self, location_ids: set[int]) -> None:
        """Read those of the Lernorte not read yet."""
        missing = [i for i in location_ids if i not in self.known]
        if len(self.known) + len(missing) > self.KEPT:
            self.known.clear()
            missing = list(location_ids)
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            self.known.update(dict.fromkeys(chunk))
            for rows, in_batch in _batches(_LOCATION_ROWS, LOCATIONS, chunk):
                links = _LOCATION_FACETS.links(in_batch, self.taxonomy)
                for row in rows:
                    doc = _location_document(row, links, self.taxonomy)
                    doc["place"] = f"{row.name}, {doc['place']}"
                    self.known[row.id] = doc


def _offer_documents(ids: list[int] | None, taxonomy: _Taxonomy) -> Iterator[dict]:
    """Yield the documents of published Angebote (all, or those among ids)."""
    labels = taxonomy.labels
    places = _Places(taxonomy)
    link, session = offer_locations.c, OfferSession.__table__.c
    for rows, in_batch in _batches(_OFFER_ROWS, OFFERS, ids):
        # An Angebot's Lernorte in id order: the first gives the position and place text.
        hosts = _grouped(
            select(link.offer_id, link.location_id)
            .where(in_batch(link.offer_id))
            .order_by(link.offer_id, link.location_id)
        )
        places.read({i for row in rows for i in hosts.get(row.id, ())})
        links = _OFFER_FACETS.links(in_batch, taxonomy)
        starts = _grouped(
            select(session.offer_id, session.starts_at)
            .where(in_batch(session.offer_id))
            .order_by(session.offer_id, session.starts_at)
        )
        for row in rows:
            place = places.of(hosts.get(row.id, ()))
            terms, flags = _OFFER_FACETS.read(row, links, taxonomy, place)
            dates = [starts_at.date() for starts_at in starts.get(row.id, ())]
            yield {
                "id": document_id("offer", row.id),
                "type": "offer",
                "title": row.title,
                "description": row.description or "",
                "kind": place["kind"],
                "topics": [labels[i] for i in links.get("topic", {}).get(row.id, ())],
                "provider": row.provider or "",
                "place": place["place"],
                "terms": terms,
                "flags": flags,
                "min_age": row.min_age,
                "max_age": row.max_age,
                "dates": dates,
                "start": row.valid_from or (min(dates) if dates else None),
                "end": row.valid_until,
                "lon": place["lon"],
                "lat": place["lat"],
                "name_sort": row.title,
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
