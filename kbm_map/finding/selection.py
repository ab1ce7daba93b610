"""Which Lernorte and Angebote a search selects, as SQL conditions (map, exports, monitoring).

The conditions follow from the filter registry, so SQL and the search engine agree (a test
checks every filter). A published Lernort is *on the map* when it matches the filters itself
(as a Lernort result of the search would) or when a matching published Angebot takes place
there (as an Angebot result would); filters that are properties of the place (kind, Gemeinde,
step-free access) always apply to the place itself. Age and dates never exclude a Lernort or
an undated Angebot. With a text query the search engine finds the matches and SQL only adds
the place and the area.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, false, literal, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..geo.clusters import in_box
from ..geo.spatial import bbox_around, distance_m
from ..models import Location, Offer
from ..models import offer_locations as ol
from ..search import parse_id
from .engine import search_backend
from .filters import PUBLISHED, age_condition, conditions, dates_condition
from .params import SearchParams, date_range, to_query
from .places import Place, resolve_place

TEXT_HITS = 1000  # with a text query the map shows the places of the best hits


@dataclass(frozen=True)
class TextMatches:
    """The Lernorte and Angebote the search engine found for a text query."""

    location_ids: frozenset[int]  # found themselves, or hosting an Angebot found
    offer_ids: frozenset[int]
    own_location_ids: frozenset[int] = frozenset()  # found themselves


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
        own = self._own_conditions()
        return own != [] and self.offer_conditions() is not None

    def _filters(self, entity: str, include) -> list[ColumnElement]:
        """Return the registry's conditions of the selected filters that include() takes."""
        return conditions(entity, self.params.lists, self.params.flags, include)

    def near_conditions(self) -> list[ColumnElement]:
        """Return the conditions of the place searched near, on Location."""
        if self.place is not None:
            lon, lat, metres = self.place.lon, self.place.lat, self.params.radius_km * 1000
            # spatial.within_radius, but with the index-friendly box of geo.clusters.in_box.
            return [
                in_box(Location.geom, *bbox_around(lon, lat, metres)),
                distance_m(Location.geom, literal(lon), literal(lat)) <= metres,
            ]
        if self.params.near:  # a place nobody knows: nothing is near it
            return [false()]
        return []

    def place_conditions(self) -> list[ColumnElement]:
        """Return the conditions on the place itself: near, kind, Gemeinde, step-free access."""
        found = self.near_conditions()
        if self.text is None:  # the search engine applied these already
            found.extend(self._filters("location", lambda f: f.of_place))
        return found

    def _own_conditions(self) -> list[ColumnElement] | None:
        """Return what a Lernort must meet on its own, or None if only Angebote can match."""
        types = self.params.values("type")
        if types and "location" not in types:
            return None
        offers_only = self._filters("location", lambda f: f.location is None)
        if offers_only:
            return None
        return self._filters("location", lambda f: not f.of_place and f.name != "type")

    def located_lernorte(self) -> list[ColumnElement]:
        """Return the conditions on Location for the places the map shows."""
        found = [Location.status == PUBLISHED, Location.geom.isnot(None)]
        found.extend(self.place_conditions())
        if self.text is not None:
            found.append(Location.id.in_(sorted(self.text.location_ids)))
            return found
        own = self._own_conditions()
        if own == []:  # every place matches on its own: its Angebote add nothing
            return found
        branches = [and_(true(), *own)] if own is not None else []
        hosted = self.offer_conditions()
        if hosted is not None:
            hosts = select(ol.c.location_id).join(Offer, Offer.id == ol.c.offer_id)
            branches.append(Location.id.in_(hosts.where(*hosted)))
        found.append(or_(*branches) if branches else false())
        return found

    def offer_conditions(self, respect_type: bool = True) -> list[ColumnElement] | None:
        """Return the conditions on Offer of the Angebote that count at a place, or None.

        The place's own filters (near, kind, Gemeinde, …) are left to place_conditions.
        """
        if self.text is not None:
            return [Offer.id.in_(sorted(self.text.offer_ids))]
        types = self.params.values("type")
        if respect_type and types and "offer" not in types:
            return None
        found = [Offer.status == PUBLISHED]
        found.extend(self._filters("offer", lambda f: not f.of_place and f.name != "type"))
        found.extend(range_conditions(self.params, self.today or dt.date.today()))
        return found

    def matching_offers(self, published: bool = True, places: bool = True) -> list[ColumnElement]:
        """Return the conditions on Offer of the Angebote the search itself would find.

        published=False leaves the status open and places=False leaves out what Angebote take
        from their published Lernorte (near, kind, Gemeinde …): the monitoring's past
        reference dates decide both from the audit trail (see place_conditions).
        """
        if self.text is not None:
            return [Offer.id.in_(sorted(self.text.offer_ids))]
        found = [Offer.status == PUBLISHED] if published else []
        found.extend(self._filters("offer", lambda f: places or not f.of_place))
        found.extend(range_conditions(self.params, self.today or dt.date.today()))
        if places and (self.place is not None or self.params.near):
            near = self.near_conditions()
            hosts = select(ol.c.offer_id).join(Location, Location.id == ol.c.location_id)
            found.append(Offer.id.in_(hosts.where(Location.status == PUBLISHED, *near)))
        return found

    def matching_lernorte(self, published: bool = True) -> list[ColumnElement]:
        """Return the conditions on Location of the Lernorte the search itself would find."""
        if self.text is not None:
            return [Location.id.in_(sorted(self.text.own_location_ids))]
        status = [Location.status == PUBLISHED] if published else []
        return [*status, *self.near_conditions(), *self._filters("location", lambda f: True)]


def range_conditions(params: SearchParams, today: dt.date) -> list[ColumnElement]:
    """Return the age and date conditions on Offer."""
    found = []
    if params.age is not None:
        found.append(age_condition(params.age))
    low, high = date_range(params, today)
    if low or high:
        found.append(dates_condition(low, high))
    return found


def text_matches(params: SearchParams, place: Place | None, today: dt.date) -> TextMatches:
    """Ask the search engine for the best hits of a text query and return their ids."""
    near = (place.lon, place.lat) if place else None
    query = to_query(params, near, today, facets=())
    query.page, query.per_page, query.sort = 1, TEXT_HITS, "relevance"
    hits = search_backend().query(query).hits
    location_ids, offer_ids = set(), set()
    for hit in hits:
        kind, number = parse_id(hit.id)
        (location_ids if kind == "location" else offer_ids).add(number)
    own = frozenset(location_ids)
    if offer_ids:
        hosts = select(ol.c.location_id).where(ol.c.offer_id.in_(sorted(offer_ids)))
        location_ids.update(db.session.scalars(hosts))
    return TextMatches(frozenset(location_ids), frozenset(offer_ids), own)


def select_for(params: SearchParams, today: dt.date | None = None, remember=None) -> Selection:
    """Resolve the place and, for a text query, the matches of validated parameters.

    remember(key, compute) may keep the text matches (the map's short-lived cache).
    """
    today = today or dt.date.today()
    place = resolve_place(params.near) if params.near else None
    selection = Selection(params=params, place=place, today=today)
    if params.q:
        compute = lambda: text_matches(params, place, today)  # noqa: E731
        key = ("text", str(db.engine.url), selection.key())
        selection.text = remember(key, compute) if remember else compute()
    return selection
