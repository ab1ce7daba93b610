"""Coverage indicators per Gemeinde and for the whole area: one computation for every output.

The staff page, the public "Zahlen" page, the API, the CLI report (PDF, HTML, XLSX, CSV)
and the gap rules all read a `Coverage`. It holds, for a search selection (any filter of the
search) on a reference date: Lernorte, current Angebote, inhabitants, and both per 1,000
inhabitants and per 1,000 of the age group that belongs to the selected kind of Lernort.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..finding import SearchParams, select_for
from ..models import Region
from ..taxonomy import kind_age_ranges
from .listings import WITHOUT_REGION, count_listings
from .population import PopulationValue, population_at

PER = 1000


@dataclass(frozen=True)
class Indicator:
    """One indicator: key (CSV, API, XLSX sheet), label, unit, and whether it needs ages."""

    key: str
    label: object  # lazy string; "%(ages)s" is replaced by the age group
    unit: object
    per_age_group: bool = False
    ratio: bool = False  # a figure per 1,000 (not a count)


INDICATORS = (
    Indicator("lernorte", _l("Lernorte"), _l("Anzahl")),
    Indicator("angebote", _l("Aktuelle Angebote"), _l("Anzahl")),
    Indicator(
        "lernorte_je_1000", _l("Lernorte je 1.000 Einwohner"), _l("je 1.000 Einw."), ratio=True
    ),
    Indicator(
        "angebote_je_1000", _l("Angebote je 1.000 Einwohner"), _l("je 1.000 Einw."), ratio=True
    ),
    Indicator(
        "lernorte_je_1000_alter",
        _l("Lernorte je 1.000 Einwohner von %(ages)s"),
        _l("je 1.000 der Altersgruppe"),
        per_age_group=True,
        ratio=True,
    ),
    Indicator(
        "angebote_je_1000_alter",
        _l("Angebote je 1.000 Einwohner von %(ages)s"),
        _l("je 1.000 der Altersgruppe"),
        per_age_group=True,
        ratio=True,
    ),
)
BY_KEY = {i.key: i for i in INDICATORS}


def age_text(ages: tuple[int, int | None]) -> str:
    """Return an age group as people write it: "6 bis unter 10 Jahren", "75 und mehr Jahren"."""
    low, high = ages
    if high is None:
        return str(_l("%(low)s Jahren und älter", low=low))
    if low == 0:
        return str(_l("unter %(high)s Jahren", high=high))
    return str(_l("%(low)s bis unter %(high)s Jahren", low=low, high=high))


@dataclass
class Area:
    """The figures of one Gemeinde, or of the whole area."""

    code: str
    name: str
    lernorte: int = 0
    angebote: int = 0
    population: PopulationValue | None = None
    age_population: PopulationValue | None = None

    def value(self, key: str) -> float | int | None:
        """Return an indicator's value for this area (None where the population is missing)."""
        if key in ("lernorte", "angebote"):
            return getattr(self, key)
        count = self.lernorte if key.startswith("lernorte") else self.angebote
        base = self.age_population if key.endswith("_alter") else self.population
        if base is None or not base.value:
            return None
        return count * PER / base.value

    def estimated(self, key: str) -> bool:
        """Tell whether the value rests on an estimated population figure."""
        base = self.age_population if key.endswith("_alter") else self.population
        return bool(key not in ("lernorte", "angebote") and base is not None and base.estimated)


@dataclass
class Coverage:
    """Indicators of a selection on a reference date, per Gemeinde and for the whole area."""

    params: SearchParams
    reference_date: dt.date
    areas: list[Area]  # the Gemeinden, by name
    total: Area
    without_region: Area  # Lernorte and Angebote in no Gemeinde (no position, online only)
    ages: tuple[int, int | None] | None = None
    population_dates: list[dt.date] = field(default_factory=list)
    population_sources: list[str] = field(default_factory=list)  # credit lines
    compare: Coverage | None = None

    @property
    def indicators(self) -> list[Indicator]:
        """Return the indicators this coverage has (age-group ones only with an age group)."""
        return [i for i in INDICATORS if self.ages is not None or not i.per_age_group]

    def label(self, indicator: Indicator) -> str:
        """Return an indicator's label with the age group filled in."""
        if indicator.per_age_group and self.ages is not None:
            return str(indicator.label) % {"ages": age_text(self.ages)}
        return str(indicator.label)

    @property
    def estimated(self) -> bool:
        """Tell whether any figure rests on estimated population figures."""
        return any(a.estimated(i.key) for a in [*self.areas, self.total] for i in self.indicators)


def relevant_ages(params: SearchParams) -> tuple[int, int | None] | None:
    """Return the age group of the selected kinds of Lernort (contiguous), or None."""
    known = kind_age_ranges()
    found = [known.get(code) for code in params.values("kind")]
    if not found or None in found:
        return None  # no kind, or a kind without an age group: no age-group indicators
    ranges = sorted(set(found), key=lambda r: (r[0], math.inf if r[1] is None else r[1]))
    low, high = ranges[0]
    for start, end in ranges[1:]:
        if high is None or start > high:
            return None  # gaps between the groups: no single age group
        high = None if end is None else max(high, end)
    return low, high


def regions_of_area() -> list[Region]:
    """Return the active regions the area consists of, by name."""
    return list(db.session.scalars(select(Region).where(Region.active.is_(True))).all())


def coverage(
    params: SearchParams, day: dt.date | None = None, compare: dt.date | None = None
) -> Coverage:
    """Compute the indicators of a selection on a day (default today), optionally compared."""
    day = day or dt.date.today()
    selection = select_for(params, today=day)
    counts = count_listings(selection, day)
    ages = relevant_ages(params)
    totals = population_at(on=day)
    by_age = population_at(on=day, ages=ages) if ages is not None else {}
    areas = []
    for region in sorted(regions_of_area(), key=lambda r: (r.name.casefold(), r.code)):
        areas.append(
            Area(
                code=region.code,
                name=region.name,
                lernorte=counts.lernorte.get(region.code, 0),
                angebote=counts.angebote.get(region.code, 0),
                population=totals.get(region.code),
                age_population=by_age.get(region.code),
            )
        )
    result = Coverage(
        params=params,
        reference_date=day,
        areas=areas,
        total=Area(
            code="",
            name=str(_l("Gesamtes Gebiet")),
            lernorte=counts.total_lernorte,
            angebote=counts.total_angebote,
            population=_sum([a.population for a in areas]),
            age_population=_sum([a.age_population for a in areas]) if ages else None,
        ),
        without_region=Area(
            code=WITHOUT_REGION,
            name=str(_l("ohne Gemeinde")),
            lernorte=counts.lernorte.get(WITHOUT_REGION, 0),
            angebote=counts.angebote.get(WITHOUT_REGION, 0),
        ),
        ages=ages,
    )
    figures = [v for a in areas for v in (a.population, a.age_population) if v is not None]
    result.population_dates = sorted({v.reference_date for v in figures})
    result.population_sources = list(dict.fromkeys(c for v in figures for c in v.credits))
    if compare is not None:
        result.compare = coverage(params, compare)
    return result


def _sum(values: list[PopulationValue | None]) -> PopulationValue | None:
    """Add population figures of Gemeinden; None unless every Gemeinde has one."""
    if not values or any(v is None for v in values):
        return None
    return PopulationValue(
        value=sum(v.value for v in values),
        reference_date=max(v.reference_date for v in values),
        estimated=any(v.estimated for v in values),
        source="; ".join(sorted({v.source for v in values if v.source})),
        attribution="; ".join(sorted({v.attribution for v in values if v.attribution})) or None,
        licence="; ".join(sorted({v.licence for v in values if v.licence})) or None,
    )
