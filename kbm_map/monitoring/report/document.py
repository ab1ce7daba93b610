"""The committee report as data, before it becomes a PDF, HTML, XLSX or CSV file.

Every format renders the same `Report`: one `Table` per indicator (a row per Gemeinde, the
whole area, the comparison date's values), the gap findings, the reachability tables, the
method notes and the sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..charts import BarRow, Shape, bar_chart_svg, choropleth_svg, class_breaks
from ..indicators import Area, Coverage, Indicator, PopulationValue, age_text
from ..numbers import day, number, percent
from .inputs import PERCENT, Attribution, Gap, Reach, ReportError, gaps_of, reach_of
from .words import method_notes, selection_in_words, sources

SECTIONS = ("indicators", "comparison", "gaps", "reach", "methods", "sources")
RATIO_DECIMALS = 2


@dataclass
class Row:
    """One Gemeinde's (or the whole area's) value of an indicator, now and at the other date."""

    code: str
    name: str
    value: float | int | None
    estimated: bool = False
    population: PopulationValue | None = None  # the inhabitants the value is divided by
    compare: float | int | None = None

    @property
    def change(self) -> float | int | None:
        """Return the change since the comparison date (None where either value is missing)."""
        if self.value is None or self.compare is None:
            return None
        return self.value - self.compare


@dataclass
class Table:
    """One indicator: label, unit, the rows of the Gemeinden, the whole area, and charts."""

    key: str
    label: str
    unit: str
    ratio: bool
    rows: list[Row]
    total: Row
    unplaced: Row | None = None  # entries in no Gemeinde (counts only)
    population_label: str = ""
    map: Markup | None = None
    chart: Markup | None = None

    @property
    def decimals(self) -> int:
        """Return the decimals to show: two for figures per 1,000, none for counts."""
        return RATIO_DECIMALS if self.ratio else 0

    @property
    def estimated(self) -> bool:
        """Tell whether any value of the table is estimated."""
        return any(r.estimated for r in [*self.rows, self.total])


@dataclass
class Report:
    """Everything the report shows, in the order it shows it."""

    region_name: str
    generated_at: dt.datetime
    reference_date: dt.date
    locale: str
    sections: tuple[str, ...]
    filters: list[str]
    ages: str = ""
    compare_date: dt.date | None = None
    population_dates: list[dt.date] = field(default_factory=list)
    compare_population_dates: list[dt.date] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    gaps: list[Gap] | None = None  # None: no gap rules were checked (no section)
    reach: list[Reach] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def comparing(self) -> bool:
        """Tell whether the report compares with another date."""
        return self.compare_date is not None and "comparison" in self.sections


def build_report(
    coverage: Coverage,
    *,
    region_name: str,
    sections: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    shapes: Sequence[Shape] | None = None,
    gaps: Sequence | None = None,
    reach: Sequence | None = None,
    generated_at: dt.datetime | None = None,
    attribution: Attribution | None = None,
    charts: bool = True,
    locale: str = "de",
) -> Report:
    """Assemble the report of a coverage; charts are drawn only when asked (PDF, HTML)."""
    chosen = _sections(sections)
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    gap_list = gaps_of(gaps) if "gaps" in chosen and gaps is not None else None
    reach_list = reach_of(reach) if "reach" in chosen else []
    compare = coverage.compare if "comparison" in chosen else None
    report = Report(
        region_name=region_name,
        generated_at=generated_at,
        reference_date=coverage.reference_date,
        locale=locale,
        sections=chosen,
        filters=selection_in_words(coverage.params, locale),
        ages=age_text(coverage.ages) if coverage.ages else "",
        compare_date=compare.reference_date if compare else None,
        population_dates=list(coverage.population_dates),
        compare_population_dates=list(compare.population_dates) if compare else [],
        gaps=gap_list,
        reach=reach_list,
    )
    if "indicators" in chosen:
        for indicator in _indicators(coverage, indicators):
            table = indicator_table(coverage, indicator, compare)
            if charts:
                draw_charts(table, report, shapes)
            report.tables.append(table)
    if "methods" in chosen:
        report.notes = method_notes(coverage, reach_list, generated_at.date(), locale)
    if "sources" in chosen:
        drawn_map = charts and bool(shapes) and bool(report.tables)
        report.sources = sources(coverage, attribution or Attribution(), reach_list, drawn_map)
    return report


def _sections(sections: Sequence[str] | None) -> tuple[str, ...]:
    """Return the sections asked for, in report order; unknown ones are an error."""
    if sections is None:
        return SECTIONS
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ReportError(
            f"unknown report section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}"
        )
    return tuple(s for s in SECTIONS if s in sections)


def _indicators(coverage: Coverage, keys: Sequence[str] | None) -> list[Indicator]:
    """Return the coverage's indicators, or those named; unknown names are an error."""
    available = {i.key: i for i in coverage.indicators}
    if keys is None:
        return list(available.values())
    unknown = [k for k in keys if k not in available]
    if unknown:
        raise ReportError(
            f"unknown indicator(s) {', '.join(unknown)}; this selection has {', '.join(available)}"
        )
    return [available[k] for k in keys]


def _base(area: Area, indicator: Indicator) -> PopulationValue | None:
    """Return the inhabitants an indicator divides by in an area (counts: none)."""
    if not indicator.ratio:
        return None
    return area.age_population if indicator.per_age_group else area.population


def indicator_table(coverage: Coverage, indicator: Indicator, compare: Coverage | None) -> Table:
    """Return an indicator's table: a row per Gemeinde, the whole area, entries without one."""
    then = {a.code: a for a in compare.areas} if compare else {}

    def row(area: Area, earlier: Area | None) -> Row:
        return Row(
            code=area.code,
            name=area.name,
            value=area.value(indicator.key),
            estimated=area.estimated(indicator.key),
            population=_base(area, indicator),
            compare=earlier.value(indicator.key) if earlier else None,
        )

    unplaced = None
    if not indicator.ratio and coverage.without_region.value(indicator.key):
        earlier = compare.without_region if compare else None
        unplaced = row(coverage.without_region, earlier)
    population_label = ""
    if indicator.ratio:
        population_label = str(_l("Einwohner"))
        if indicator.per_age_group and coverage.ages:
            population_label = str(_l("Einwohner von %(ages)s", ages=age_text(coverage.ages)))
    return Table(
        key=indicator.key,
        label=coverage.label(indicator),
        unit=str(indicator.unit),
        ratio=indicator.ratio,
        rows=[row(a, then.get(a.code)) for a in coverage.areas],
        total=row(coverage.total, compare.total if compare else None),
        unplaced=unplaced,
        population_label=population_label,
    )


def draw_charts(table: Table, report: Report, shapes: Sequence[Shape] | None) -> None:
    """Draw the table's map (when outlines are given) and its bar chart."""
    values = {r.code: r.value for r in table.rows}
    estimated = {r.code for r in table.rows if r.estimated}
    if shapes:
        breaks = class_breaks(values.values(), locale=report.locale)
        table.map = choropleth_svg(
            shapes,
            values,
            breaks,
            str(_l("Karte: %(label)s", label=table.label)),
            unit=table.unit,
            decimals=table.decimals,
            estimated=estimated,
            ident=f"map-{table.key}",
            locale=report.locale,
        )
    bars = [BarRow(r.name, r.value, r.estimated, r.compare, r.code) for r in table.rows]
    table.chart = bar_chart_svg(
        bars,
        str(_l("Balkendiagramm: %(label)s", label=table.label)),
        table.unit,
        decimals=table.decimals,
        current_label=day(report.reference_date, report.locale),
        compare_label=day(report.compare_date, report.locale) if report.comparing else None,
        ident=f"bars-{table.key}",
        locale=report.locale,
    )


def gap_figure(gap: Gap, value: float | None, locale: str) -> str:
    """Format a gap's value or target in the rule's unit ("85 %", "0,8 je 1.000 Einw.")."""
    if value is None:
        return ""
    if gap.unit == PERCENT:
        return percent(value, locale)
    decimals = 0 if float(value).is_integer() else RATIO_DECIMALS
    return f"{number(value, decimals, locale)} {gap.unit}".strip()


def gap_distance(gap: Gap, locale: str) -> str:
    """Say how far a Gemeinde is off a rule ("5 Prozentpunkte", "2 Angebote")."""
    if gap.shortfall or gap.value is None or gap.target is None:
        return gap.shortfall
    distance = abs(gap.target - gap.value)
    if gap.unit == PERCENT:
        return str(_l("%(points)s Prozentpunkte", points=number(distance * 100, 0, locale)))
    return gap_figure(gap, distance, locale)
