"""Run a search: parameters → search backend → entries from the database, with labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Location, Offer, OfferSession, Region, Term
from ..search import SearchResult, parse_id
from .engine import search_backend
from .filters import FILTERS, Filter
from .params import SearchParams, to_query
from .places import Place, resolve_place

FACET_TITLES = {f.name: f.title for f in FILTERS}
TYPE_LABELS = {"location": _l("Lernorte"), "offer": _l("Angebote")}


@dataclass
class FacetValue:
    """One value of a facet with its count and whether it is selected."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    """A facet: URL parameter name, title and values."""

    name: str
    title: str
    values: list[FacetValue]
    flag: bool = False


@dataclass
class Item:
    """One result: the entity, its kind ("location"/"offer") and the search hit."""

    type: str
    entity: Location | Offer
    highlights: dict
    distance_m: float | None
    next_start: dt.datetime | None = None  # the next dated session of an offer


@dataclass
class Outcome:
    """Everything a results page or the API shows for one search."""

    params: SearchParams
    total: int = 0
    items: list[Item] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    suggestion: str | None = None
    fuzzy: bool = False
    place: Place | None = None
    place_missing: bool = False

    @property
    def pages(self) -> int:
        """Return the number of result pages."""
        return max(1, -(-self.total // self.params.per_page))


def run_search(params: SearchParams, today: dt.date | None = None) -> Outcome:
    """Search the index with validated parameters and load the hits from the database."""
    outcome = Outcome(params=params)
    if params.near:
        outcome.place = resolve_place(params.near)
        outcome.place_missing = outcome.place is None
    if params.sort == "distance" and outcome.place is None:
        params.sort = "relevance"
    near = (outcome.place.lon, outcome.place.lat) if outcome.place else None
    query = to_query(params, near, today or dt.date.today())
    result = search_backend().query(query)
    outcome.total, outcome.suggestion, outcome.fuzzy = result.total, result.suggestion, result.fuzzy
    outcome.items = load_items(result)
    outcome.facets = label_facets(result, params)
    return outcome


def load_items(result: SearchResult) -> list[Item]:
    """Load the entities of a page of hits, in the order of the hits."""
    wanted: dict[str, list[int]] = {"location": [], "offer": []}
    for hit in result.hits:
        kind, number = parse_id(hit.id)
        wanted[kind].append(number)
    found: dict[str, object] = {}
    if wanted["location"]:
        stmt = (
            select(Location)
            .where(Location.id.in_(wanted["location"]))
            .options(selectinload(Location.kind), selectinload(Location.region))
        )
        found.update({f"location:{loc.id}": loc for loc in db.session.scalars(stmt)})
    next_starts: dict[int, dt.datetime] = {}
    if wanted["offer"]:
        stmt = (
            select(Offer)
            .where(Offer.id.in_(wanted["offer"]))
            .options(selectinload(Offer.locations).selectinload(Location.kind))
        )
        found.update({f"offer:{offer.id}": offer for offer in db.session.scalars(stmt)})
        next_starts = next_session_starts(wanted["offer"])
    items = []
    for hit in result.hits:
        entity = found.get(hit.id)
        if entity is None or not entity.is_public:  # the index may lag a moment behind
            continue
        kind = hit.id.partition(":")[0]
        next_start = next_starts.get(entity.id) if kind == "offer" else None
        items.append(Item(kind, entity, hit.highlights, hit.distance_m, next_start))
    return items


def next_session_starts(offer_ids: list[int]) -> dict[int, dt.datetime]:
    """Return {offer id: start of its next session} in one query (sessions are not loaded)."""
    stmt = (
        select(OfferSession.offer_id, func.min(OfferSession.starts_at))
        .where(OfferSession.offer_id.in_(offer_ids), OfferSession.starts_at >= dt.datetime.now())
        .group_by(OfferSession.offer_id)
    )
    return {offer_id: starts for offer_id, starts in db.session.execute(stmt)}


def _labels(f: Filter, locale: str) -> dict[str, str]:
    """Return value → label for one facet in the UI language, in display order."""
    if f.vocabulary is not None:
        terms = db.session.scalars(select(Term).where(Term.vocabulary == f.vocabulary.value))
        return {t.code: t.label(locale) for t in sorted(terms, key=lambda t: t.position)}
    if f.labels == "regions":
        return dict(
            db.session.execute(select(Region.code, Region.name).order_by(Region.name)).all()
        )
    if f.labels == "choices":
        return {k: str(TYPE_LABELS.get(k, k)) for k in f.choices}
    return {}


def language_name(code: str, locale: str) -> str:
    """Return a language's name in the UI language ("Arabisch" for ar in German)."""
    try:
        return Locale.parse(code).get_display_name(locale) or code
    except (ValueError, TypeError):
        return code


def label_facets(result: SearchResult, params: SearchParams) -> list[Facet]:
    """Turn the engine's facet counts into labelled facets in display order."""
    locale = str(get_locale())
    facets = []
    for f in FILTERS:
        name = f.name
        counts = result.facets.get(name, {})
        if f.flag:
            count = counts.get("true", 0)
            selected = params.flags.get(name, False)
            values = [FacetValue("1", str(FACET_TITLES[name]), int(count), selected)]
            facets.append(Facet(name, str(FACET_TITLES[name]), values, flag=True))
            continue
        labels = _labels(f, locale)
        selected = set(params.values(name))
        order = list(labels) + sorted(set(counts) - set(labels))
        values = [
            FacetValue(
                value,
                language_name(value, locale)
                if f.labels == "languages"
                else labels.get(value, value),
                int(counts.get(value, 0)),
                value in selected,
            )
            for value in order
            if counts.get(value) or value in selected
        ]
        if f.labels == "languages":
            values.sort(key=lambda v: (-v.count, v.label))
        facets.append(Facet(name, str(FACET_TITLES[name]), values))
    return facets
