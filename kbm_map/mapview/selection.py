"""Which Lernorte the map shows for the search page's parameters, as SQL conditions.

The map shows places. A published, located Lernort is on it when it matches the filters
itself (as a Lernort result of the search would) or when a matching published Angebot takes
place there (as an Angebot result would). The rules follow the search engine's: filters on
kind, Gemeinde and step-free access apply to the place; topics, target groups, cost and
"online" exist only on Angebote; age and dates never exclude a Lernort or an undated Angebot.
With a text query the search engine finds the matches and SQL only adds the map's area.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import String, and_, cast, exists, false, literal, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..geo.clusters import in_box
from ..geo.spatial import bbox_around, distance_m
from ..models import CostKind, Location, Offer, OfferSession, Region, Status, Term, Vocabulary
from ..models import offer_locations as ol
from ..models.taxonomy import location_areas, offer_areas, offer_target_groups, offer_topics
from ..public.params import SearchParams, date_range, to_query
from ..public.places import Place, resolve_place
from ..services.indexing import search_index
from .cache import remember

TEXT_HITS = 1000  # with a text query the map shows the places of the best hits
PUBLISHED = Status.PUBLISHED.value


@dataclass(frozen=True)
class TextMatches:
    """The Lernorte and Angebote the search engine found for a text query."""

    location_ids: frozenset[int]
    offer_ids: frozenset[int]


@dataclass
class Selection:
    """The validated parameters with the resolved place and, for a text query, its matches."""

    params: SearchParams
    place: Place | None = None
    text: TextMatches | None = None
    today: dt.date | None = None

    def key(self) -> tuple:
        """Return a hashable key of everything that decides which places are shown."""
        args = self.params.to_args(page=None)
        return (tuple(sorted(args.items(multi=True))), self.today)

    @property
    def needs_offers(self) -> bool:
        """Tell whether the places depend on Angebote (an expensive question to ask SQL)."""
        if self.text is not None:
            return True
        own = _own_conditions(self.params)
        return own != [] and self.offer_conditions() is not None

    def place_conditions(self) -> list[ColumnElement]:
        """Return the conditions on the place itself: near, kind, Gemeinde, step-free access."""
        conditions = []
        if self.place is not None:
            lon, lat, metres = self.place.lon, self.place.lat, self.params.radius_km * 1000
            # spatial.within_radius, but with the index-friendly box of geo.clusters.in_box.
            conditions.append(in_box(Location.geom, *bbox_around(lon, lat, metres)))
            conditions.append(distance_m(Location.geom, literal(lon), literal(lat)) <= metres)
        elif self.params.near:  # a place nobody knows: nothing is near it
            conditions.append(false())
        if self.text is None:  # the search engine applied these already
            conditions.extend(_place_conditions(self.params))
        return conditions

    def located_lernorte(self) -> list[ColumnElement]:
        """Return the conditions on Location for the places the map shows."""
        conditions = [Location.status == PUBLISHED, Location.geom.isnot(None)]
        conditions.extend(self.place_conditions())
        if self.text is not None:
            conditions.append(Location.id.in_(sorted(self.text.location_ids)))
            return conditions
        own = _own_conditions(self.params)
        if own == []:  # every place matches on its own: its Angebote add nothing
            return conditions
        branches = [and_(true(), *own)] if own is not None else []
        hosted = self.offer_conditions()
        if hosted is not None:
            hosts = select(ol.c.location_id).join(Offer, Offer.id == ol.c.offer_id)
            branches.append(Location.id.in_(hosts.where(*hosted)))
        conditions.append(or_(*branches) if branches else false())
        return conditions

    def offer_conditions(self, respect_type: bool = True) -> list[ColumnElement] | None:
        """Return the conditions on Offer of the Angebote that count, or None if none can."""
        if self.text is not None:
            return [Offer.id.in_(sorted(self.text.offer_ids))]
        types = self.params.values("type")
        if respect_type and types and "offer" not in types:
            return None
        return _offer_conditions(self.params, self.today or dt.date.today())


def _terms(vocabulary: Vocabulary, codes: list[str]):
    """Select the ids of the terms with these codes."""
    return select(Term.id).where(Term.vocabulary == vocabulary.value, Term.code.in_(codes))


def _any_language(column, codes: list[str]) -> ColumnElement:
    """Match a JSON list of language codes containing any of the codes (same text on both)."""
    return or_(*(cast(column, String).contains(f'"{code}"', autoescape=True) for code in codes))


def _place_conditions(params: SearchParams) -> list[ColumnElement]:
    """Return the filters that are properties of the place itself."""
    conditions = []
    if params.values("kind"):
        conditions.append(
            Location.kind_id.in_(_terms(Vocabulary.LOCATION_KIND, params.values("kind")))
        )
    if params.values("region"):
        codes = select(Region.id).where(Region.code.in_(params.values("region")))
        conditions.append(Location.region_id.in_(codes))
    if params.flags.get("step_free"):
        conditions.append(Location.step_free.is_(True))
    return conditions


def _own_conditions(params: SearchParams) -> list[ColumnElement] | None:
    """Return the filters a Lernort must meet on its own, or None if only Angebote can match."""
    types = params.values("type")
    if types and "location" not in types:
        return None
    if params.values("topic") or params.values("target"):
        return None
    if params.flags.get("free") or params.flags.get("online"):
        return None
    conditions = []
    if params.values("area"):
        areas = select(location_areas.c.location_id).where(
            location_areas.c.term_id.in_(_terms(Vocabulary.AREA, params.values("area")))
        )
        conditions.append(Location.id.in_(areas))
    if params.values("language"):
        conditions.append(_any_language(Location.languages, params.values("language")))
    return conditions


def _offer_conditions(params: SearchParams, today: dt.date) -> list[ColumnElement]:
    """Return the filters an Angebot must meet (the place's own filters come separately)."""
    conditions = [Offer.status == PUBLISHED]
    for name, table, vocabulary in (
        ("area", offer_areas, Vocabulary.AREA),
        ("topic", offer_topics, Vocabulary.TOPIC),
        ("target", offer_target_groups, Vocabulary.TARGET_GROUP),
    ):
        if params.values(name):
            tagged = select(table.c.offer_id).where(
                table.c.term_id.in_(_terms(vocabulary, params.values(name)))
            )
            conditions.append(Offer.id.in_(tagged))
    if params.values("language"):
        conditions.append(_any_language(Offer.languages, params.values("language")))
    if params.flags.get("free"):
        conditions.append(Offer.cost_kind == CostKind.FREE.value)
    if params.flags.get("online"):
        conditions.append(Offer.online.is_(True))
    if params.age is not None:
        conditions.append(or_(Offer.min_age.is_(None), Offer.min_age <= params.age))
        conditions.append(or_(Offer.max_age.is_(None), Offer.max_age >= params.age))
    low, high = date_range(params, today)
    if low or high:
        conditions.append(_dated(low, high))
    return conditions


def _dated(low: dt.date | None, high: dt.date | None) -> ColumnElement:
    """Match Angebote with a session in the dates, or without sessions and a period overlapping."""
    sessions = [OfferSession.offer_id == Offer.id]
    period = []
    if low:
        sessions.append(OfferSession.starts_at >= dt.datetime.combine(low, dt.time.min))
        period.append(or_(Offer.valid_until.is_(None), Offer.valid_until >= low))
    if high:
        sessions.append(
            OfferSession.starts_at < dt.datetime.combine(high, dt.time.min) + dt.timedelta(days=1)
        )
        period.append(or_(Offer.valid_from.is_(None), Offer.valid_from <= high))
    has_sessions = exists().where(OfferSession.offer_id == Offer.id)
    return or_(exists().where(*sessions), and_(~has_sessions, *period))


def text_matches(params: SearchParams, place: Place | None, today: dt.date) -> TextMatches:
    """Ask the search engine for the best hits of a text query and return their ids."""
    near = (place.lon, place.lat) if place else None
    query = to_query(params, near, today, facets=())
    query.page, query.per_page, query.sort = 1, TEXT_HITS, "relevance"
    hits = search_index().query(query).hits
    location_ids, offer_ids = set(), set()
    for hit in hits:
        kind, _, number = hit.id.partition(":")
        (location_ids if kind == "location" else offer_ids).add(int(number))
    if offer_ids:
        hosts = select(ol.c.location_id).where(ol.c.offer_id.in_(sorted(offer_ids)))
        location_ids.update(db.session.scalars(hosts))
    return TextMatches(frozenset(location_ids), frozenset(offer_ids))


def select_for(params: SearchParams, today: dt.date | None = None) -> Selection:
    """Resolve the place and, for a text query, the matches of validated parameters."""
    today = today or dt.date.today()
    place = resolve_place(params.near) if params.near else None
    selection = Selection(params=params, place=place, today=today)
    if params.q:
        key = ("text", str(db.engine.url), selection.key())
        selection.text = remember(key, lambda: text_matches(params, place, today))
    return selection
