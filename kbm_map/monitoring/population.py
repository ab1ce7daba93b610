"""Read population figures per region: by reference date and age, estimating where needed.

Rules (the same for staff pages, public pages, the API and reports):

- Date: for `on=None` each region's newest reference date; for a date, each region's
  newest reference date on or before it. Figures are never taken from after the date: a
  date before a region's first reference date gives no value for it (see `missing`).
- Several sources for the same region, date and age group: the one imported last wins.
- Ages `(first, end)` are half-open years, `end=None` meaning "and older"; `None` is
  everybody. Stored groups that make up the range end to end are added up.
- Estimate: where a region has a total but no groups making up the range on that date,
  its total is split by age shares, taken from the region's own groups on its nearest
  other reference date, else from its Kreis (the first 5 digits of its AGS) on the Kreis's
  nearest reference date. The nearest date may lie after the day asked: only the shares
  come from it, never the total, and the credits (`PopulationValue.shares`) name it. Such
  values are rounded to whole people and have `estimated=True` ("geschätzt" wherever they
  are shown).
- Where neither works (no total, or no groups anywhere make up the range), the region
  has no value, and `PopulationFigures.missing` says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..importers.values import TOTAL, age_range
from ..models import PopulationFigure, Region
from ..models.region import KREIS_DIGITS
from ..taxonomy import kind_age_range

Ages = tuple[int, int | None]

__all__ = [
    "PopulationFigures",
    "PopulationValue",
    "ShareBasis",
    "age_label",
    "kind_age_range",
    "population_at",
    "population_dates",
    "tiling",
]


@dataclass(frozen=True)
class ShareBasis:
    """Whose age shares, on which date, an estimate split a total by."""

    code: str
    reference_date: date
    source: str
    attribution: str | None = None
    licence: str | None = None


@dataclass(frozen=True)
class PopulationValue:
    """The inhabitants of one region (in an age range) on a reference date."""

    value: int
    reference_date: date
    estimated: bool
    source: str  # who published the figure, e.g. the Destatis Gemeindeverzeichnis
    attribution: str | None = None  # the credit line its licence asks for
    licence: str | None = None
    shares: ShareBasis | None = None  # for estimates: where the age shares came from

    @property
    def credits(self) -> tuple[str, ...]:
        """Return the credit lines ('© …, dl-de/by-2.0') of the figures this value rests on."""
        lines = [_credit(self.source, self.attribution, self.licence)]
        if self.shares is not None:
            shares = self.shares
            lines.append(_credit(shares.source, shares.attribution, shares.licence))
        return tuple(dict.fromkeys(lines))


class PopulationFigures(dict[str, PopulationValue]):
    """Values by region code; `missing` says for each code asked for without one why."""

    def __init__(self) -> None:
        """Start empty."""
        super().__init__()
        self.missing: dict[str, str] = {}


@dataclass(frozen=True)
class _Row:
    """One stored figure, as far as reading goes."""

    value: int
    estimated: bool
    source: str
    attribution: str | None
    licence: str | None


Stored = dict[str, dict[date, dict[str, _Row]]]  # code -> date -> age group -> figure


def population_dates() -> list[date]:
    """Return the reference dates with stored figures, oldest first."""
    stmt = select(PopulationFigure.reference_date).distinct()
    return sorted(db.session.scalars(stmt))


def population_at(
    on: date | None = None,
    ages: Ages | None = None,
    codes: Iterable[str] | None = None,
) -> PopulationFigures:
    """Return the population of each region (all regions, or the codes given) by the rules above."""
    span = _checked(ages)
    if codes is None:
        codes = db.session.scalars(select(Region.code))
    wanted = sorted(set(codes))
    stored = _load({*wanted, *(c[:KREIS_DIGITS] for c in wanted if len(c) > KREIS_DIGITS)})
    result = PopulationFigures()
    for code in wanted:
        value = _value(code, stored, on, span)
        if isinstance(value, str):
            result.missing[code] = value
        else:
            result[code] = value
    return result


def age_label(ages: Ages | None) -> str:
    """Return '6–10', '18 and older' or 'all ages' for messages."""
    if ages is None or ages == (0, None):
        return "all ages"
    first, end = ages
    return f"{first} and older" if end is None else f"{first}–{end}"


def tiling(groups: Iterable[str], first: int, end: int | None) -> list[str] | None:
    """Return the fewest groups that make up [first, end) end to end, or None if none do."""
    spans = sorted(((age_range(g), g) for g in groups), key=_span_order)
    frontier: dict[int, list[str]] = {first: []}
    reached = {first}
    while frontier:
        further: dict[int, list[str]] = {}
        for start, path in frontier.items():
            for (low, high), group in spans:
                if low != start:
                    continue
                if high == end:
                    return [*path, group]
                if high is None or (end is not None and high > end) or high in reached:
                    continue
                reached.add(high)
                further[high] = [*path, group]
        frontier = further
    return None


def _span_order(item: tuple[Ages, str]) -> tuple[int, float]:
    """Sort age spans by first year, then end ('and older' last)."""
    (first, end), _ = item
    return first, float("inf") if end is None else end


def _checked(ages: Ages | None) -> Ages:
    """Return the age range asked for; None means everybody."""
    if ages is None:
        return 0, None
    first, end = ages
    if first < 0 or (end is not None and end <= first):
        raise ValueError(f"ages {ages!r}: give (first, end) with 0 <= first < end, or end None")
    return first, end


def _load(codes: set[str]) -> Stored:
    """Read the stored figures of the codes; of several sources the latest import wins."""
    table = PopulationFigure
    stored: Stored = {}
    stmt = select(
        table.code,
        table.reference_date,
        table.age_group,
        table.value,
        table.estimated,
        table.publisher,
        table.source,
        table.attribution,
        table.licence,
    ).order_by(table.imported_at, table.id)
    ordered = sorted(codes)
    for start in range(0, len(ordered), 500):
        batch = stmt.where(table.code.in_(ordered[start : start + 500]))
        for (
            code,
            on,
            group,
            value,
            estimated,
            publisher,
            source,
            attribution,
            licence,
        ) in db.session.execute(batch):
            row = _Row(value, estimated, publisher or source, attribution, licence)
            stored.setdefault(code, {}).setdefault(on, {})[group] = row
    return stored


def _value(code: str, stored: Stored, on: date | None, ages: Ages) -> PopulationValue | str:
    """Return the value of one region, or why there is none."""
    dates = [d for d in stored.get(code, {}) if on is None or d <= on]
    if not dates:
        if code not in stored:
            return "no population figures stored"
        return f"no population figures on or before {on.isoformat()}"
    newest = max(dates)
    groups = stored[code][newest]
    parts = tiling(groups, *ages)
    if parts is not None:
        rows = [groups[g] for g in parts]
        return PopulationValue(
            sum(r.value for r in rows),
            newest,
            any(r.estimated for r in rows),
            rows[0].source,
            rows[0].attribution,
            rows[0].licence,
        )
    return _estimate(code, stored, newest, ages)


def _estimate(code: str, stored: Stored, on: date, ages: Ages) -> PopulationValue | str:
    """Split a region's total on a date by the nearest age shares of the region or its Kreis."""
    total = stored[code][on].get(TOTAL)
    stated = _stated(stored[code][on])
    wanted = age_label(ages)
    if total is None:
        return (
            f"the age groups on {on.isoformat()} ({stated}) do not make up {wanted}, "
            "and no total is stored"
        )
    kreis = code[:KREIS_DIGITS] if len(code) > KREIS_DIGITS else None
    for candidate in (code, kreis):
        for when in sorted(stored.get(candidate or "", {}), key=lambda d: (abs((d - on).days), d)):
            if candidate == code and when == on:
                continue  # its own groups on that date do not make up the range
            groups = stored[candidate][when]
            parts, whole = tiling(groups, *ages), tiling(groups, 0, None)
            if parts is None or whole is None:
                continue
            share = sum(groups[g].value for g in parts) / (sum(groups[g].value for g in whole) or 1)
            first = groups[parts[0]]
            basis = ShareBasis(candidate, when, first.source, first.attribution, first.licence)
            return PopulationValue(
                round(total.value * share),
                on,
                True,
                total.source,
                total.attribution,
                total.licence,
                basis,
            )
    others = "the region's on other dates" + (f" or its Kreis {kreis}'s" if kreis else "")
    return (
        f"the age groups on {on.isoformat()} ({stated}) do not make up {wanted}, "
        f"and neither do {others}, to estimate it by"
    )


def _stated(groups: dict[str, _Row]) -> str:
    """List the stored age groups in order for messages."""
    if set(groups) == {TOTAL}:
        return "only the total"
    spans = sorted(((age_range(g), g) for g in groups if g != TOTAL), key=_span_order)
    return ", ".join(age_label(span) for span, _ in spans)


def _credit(source: str, attribution: str | None, licence: str | None) -> str:
    """Return one credit line: the attribution (else the source) and the licence."""
    return ", ".join(part for part in (attribution or source, licence) if part)
