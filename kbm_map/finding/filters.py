"""The filters of a search, each declared once: URL name, label, API text, values, SQL, facet.

A filter says how a Lernort and how an Angebot hold its values (a Source). From that follow
the SQL condition (map, monitoring, exports), the values in the search documents (and so the
search engine's facet) and the labelled facet of the results page. Adding a filter means one
declaration here, the column in the model, the importer's field and a test.

Values an Angebot takes from its Lernorte (kind, Gemeinde, step-free access) are the union
over its published Lernorte: an Angebot held in two Gemeinden is found in both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Table, and_, cast, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..models import (
    CostKind,
    Location,
    Offer,
    OfferSession,
    Region,
    Status,
    Term,
    Vocabulary,
    offer_locations,
)
from ..models.taxonomy import location_areas, offer_areas, offer_target_groups, offer_topics
from ..search import FacetLayout

PUBLISHED = Status.PUBLISHED.value
LOCATIONS, OFFERS = Location.__table__, Offer.__table__
ENTITIES = {"location": LOCATIONS, "offer": OFFERS}


def term_ids(vocabulary: Vocabulary, codes: Sequence[str]):
    """Select the ids of the terms of a vocabulary with these codes."""
    return select(Term.id).where(Term.vocabulary == vocabulary.value, Term.code.in_(codes))


class Source:
    """How an entry holds a filter's values; subclasses say it in SQL and for documents."""

    def condition(self, table: Table, values: Sequence[str]) -> ColumnElement:
        """Return the SQL condition: the entry has any of the values (a flag: it is set)."""
        raise NotImplementedError

    def column(self, table: Table) -> ColumnElement | None:
        """Return the expression the document builder selects for this source, if any."""
        return None


@dataclass(frozen=True)
class Constant(Source):
    """Every entry of the table has this one value (the entry type)."""

    value: str

    def condition(self, table, values):
        """Match all entries if the value is among the values, else none."""
        return true() if self.value in values else false()


@dataclass(frozen=True)
class TermLinks(Source):
    """Taxonomy terms linked through a link table (Bildungsbereiche, topics, target groups)."""

    link: Table
    owner: str  # the link table's column naming the entry
    vocabulary: Vocabulary

    def condition(self, table, values):
        """Match entries linked to any of the terms with these codes."""
        linked = select(self.link.c[self.owner]).where(
            self.link.c.term_id.in_(term_ids(self.vocabulary, values))
        )
        return table.c.id.in_(linked)


@dataclass(frozen=True)
class TermColumn(Source):
    """One taxonomy term named by a column (the kind of a Lernort)."""

    name: str
    vocabulary: Vocabulary

    def condition(self, table, values):
        """Match entries whose term has one of the codes."""
        return table.c[self.name].in_(term_ids(self.vocabulary, values))

    def column(self, table):
        """Select the term id (mapped to its code by the document builder)."""
        return table.c[self.name]


@dataclass(frozen=True)
class RegionCode(Source):
    """The AGS code of the region (Gemeinde) the entry lies in."""

    def condition(self, table, values):
        """Match entries in any of the regions with these codes."""
        return table.c.region_id.in_(select(Region.id).where(Region.code.in_(values)))

    def column(self, table):
        """Select the region's code next to the entry."""
        regions = Region.__table__
        return select(regions.c.code).where(regions.c.id == table.c.region_id).scalar_subquery()


@dataclass(frozen=True)
class CodeList(Source):
    """A JSON list of codes in a column of the entry (languages)."""

    name: str

    def condition(self, table, values):
        """Match entries whose list holds any of the codes (the same text test on both)."""
        text = cast(table.c[self.name], String)
        return or_(*(text.contains(f'"{code}"', autoescape=True) for code in values))

    def column(self, table):
        """Select the list as JSON text (parsed by the document builder)."""
        return cast(table.c[self.name], String)


@dataclass(frozen=True)
class Truth(Source):
    """A yes/no property of the entry, as an SQL expression on its table."""

    expression: Callable[[Table], ColumnElement]

    def condition(self, table, values):
        """Match entries for which the expression holds (NULL counts as no)."""
        return self.expression(table)

    def column(self, table):
        """Select whether the expression holds."""
        return self.expression(table)


@dataclass(frozen=True)
class FromPlaces(Source):
    """An Angebot takes the values of its published Lernorte (any of them)."""

    def condition(self, table, values):  # pragma: no cover - Filter.condition handles it
        """Never called: the Lernort's source decides (see Filter.condition)."""
        raise TypeError("FromPlaces is resolved through the filter's Lernort source")


@dataclass(frozen=True)
class Filter:
    """One search filter: URL parameter, facet title, API text and how entries hold it."""

    name: str  # URL parameter, facet name in the index and in API answers
    title: object  # lazy translatable facet title
    doc: str  # OpenAPI description (English)
    location: Source | None  # None: Lernorte never have it (only Angebote)
    offer: Source | None  # None: Angebote never have it
    vocabulary: Vocabulary | None = None  # where the labels of its values come from
    flag: bool = False  # a yes/no filter (=1) instead of a list of codes
    choices: tuple[str, ...] = field(default=())  # the only values allowed, if fixed
    # Where value labels come from besides a vocabulary: "regions" (Gemeinde names),
    # "languages" (language names in the UI language), "choices" (labels in search.py).
    labels: str = ""

    @property
    def of_place(self) -> bool:
        """Tell whether this is a property of the Lernort that Angebote take from it."""
        return isinstance(self.offer, FromPlaces)

    def source(self, entity: str) -> Source | None:
        """Return how Lernorte ("location") or Angebote ("offer") hold this filter."""
        return self.location if entity == "location" else self.offer

    def condition(self, entity: str, values: Sequence[str] = ()) -> ColumnElement:
        """Return the SQL condition on the entity's table for entries having any value."""
        source = self.source(entity)
        if source is None:
            return false()
        if isinstance(source, FromPlaces):
            hosts = (
                select(offer_locations.c.offer_id)
                .join(LOCATIONS, LOCATIONS.c.id == offer_locations.c.location_id)
                .where(LOCATIONS.c.status == PUBLISHED, self.condition("location", values))
            )
            return OFFERS.c.id.in_(hosts)
        return source.condition(ENTITIES[entity], values)


def _free(table: Table) -> ColumnElement:
    """An Angebot is free of charge (as Offer.is_free)."""
    return table.c.cost_kind == CostKind.FREE.value


FILTERS: tuple[Filter, ...] = (
    Filter(
        "type",
        _l("Art des Eintrags"),
        "location or offer; repeat for both.",
        Constant("location"),
        Constant("offer"),
        choices=("location", "offer"),
        labels="choices",
    ),
    Filter(
        "area",
        _l("Bildungsbereich"),
        "Bildungsbereich code, e.g. fruehkindliche_bildung; repeatable (OR).",
        TermLinks(location_areas, "location_id", Vocabulary.AREA),
        TermLinks(offer_areas, "offer_id", Vocabulary.AREA),
        vocabulary=Vocabulary.AREA,
    ),
    Filter(
        "kind",
        _l("Art des Lernorts"),
        "Kind of Lernort code, e.g. volkshochschule; repeatable (OR). Angebote: of any of "
        "their Lernorte.",
        TermColumn("kind_id", Vocabulary.LOCATION_KIND),
        FromPlaces(),
        vocabulary=Vocabulary.LOCATION_KIND,
    ),
    Filter(
        "topic",
        _l("Thema"),
        "Topic code, e.g. sprache; repeatable (OR). Only Angebote have topics.",
        None,
        TermLinks(offer_topics, "offer_id", Vocabulary.TOPIC),
        vocabulary=Vocabulary.TOPIC,
    ),
    Filter(
        "target",
        _l("Zielgruppe"),
        "Target group code, e.g. neuzugewanderte; repeatable (OR). Only Angebote.",
        None,
        TermLinks(offer_target_groups, "offer_id", Vocabulary.TARGET_GROUP),
        vocabulary=Vocabulary.TARGET_GROUP,
    ),
    Filter(
        "language",
        _l("Sprache des Angebots"),
        "ISO 639-1 language spoken, e.g. ar; repeatable (OR).",
        CodeList("languages"),
        CodeList("languages"),
        labels="languages",
    ),
    Filter(
        "region",
        _l("Gemeinde"),
        "Gemeinde code (AGS); repeatable (OR). Angebote: of any of their Lernorte.",
        RegionCode(),
        FromPlaces(),
        labels="regions",
    ),
    Filter(
        "free",
        _l("kostenfrei"),
        "1: only Angebote free of charge.",
        None,
        Truth(_free),
        flag=True,
    ),
    Filter(
        "step_free",
        _l("stufenloser Zugang"),
        "1: only step-free Lernorte and Angebote at a step-free Lernort.",
        Truth(lambda t: t.c.step_free.is_(True)),
        FromPlaces(),
        flag=True,
    ),
    Filter(
        "online",
        _l("online"),
        "1: only online Angebote.",
        None,
        Truth(lambda t: t.c.online.is_(True)),
        flag=True,
    ),
)
BY_NAME = {f.name: f for f in FILTERS}
LIST_FILTERS = tuple(f for f in FILTERS if not f.flag)
FLAG_FILTERS = tuple(f for f in FILTERS if f.flag)
LAYOUT = FacetLayout(
    lists=tuple(f.name for f in LIST_FILTERS), flags=tuple(f.name for f in FLAG_FILTERS)
)


def conditions(
    entity: str,
    terms: dict[str, Sequence[str]],
    flags: dict[str, bool],
    include: Callable[[Filter], bool] = lambda f: True,
) -> list[ColumnElement]:
    """Return the SQL conditions of the selected filters on Lernorte or Angebote."""
    found = []
    for name, values in terms.items():
        if values and include(BY_NAME[name]):
            found.append(BY_NAME[name].condition(entity, values))
    for name, wanted in flags.items():
        if wanted and include(BY_NAME[name]):
            found.append(BY_NAME[name].condition(entity))
    return found


def age_condition(age: int) -> ColumnElement:
    """Match Angebote suited to an age (a missing bound is open; Lernorte always pass)."""
    return and_(
        or_(OFFERS.c.min_age.is_(None), OFFERS.c.min_age <= age),
        or_(OFFERS.c.max_age.is_(None), OFFERS.c.max_age >= age),
    )


def dates_condition(low: dt.date | None, high: dt.date | None) -> ColumnElement:
    """Match Angebote with a session in the dates, or without sessions and a period overlapping.

    Lernorte and Angebote without any dates always pass, as in the search engine: ongoing
    services and places must not vanish when someone picks a week.
    """
    sessions = OfferSession.__table__.c
    in_range = [sessions.offer_id == OFFERS.c.id]
    period = []
    if low:
        in_range.append(sessions.starts_at >= dt.datetime.combine(low, dt.time.min))
        period.append(or_(OFFERS.c.valid_until.is_(None), OFFERS.c.valid_until >= low))
    if high:
        end = dt.datetime.combine(high, dt.time.min) + dt.timedelta(days=1)
        in_range.append(sessions.starts_at < end)
        period.append(or_(OFFERS.c.valid_from.is_(None), OFFERS.c.valid_from <= high))
    has_sessions = exists().where(sessions.offer_id == OFFERS.c.id)
    return or_(exists().where(*in_range), and_(~has_sessions, *period))
