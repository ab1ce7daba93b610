"""Everything the committee report and the monitoring pages show, gathered from the database.

The renderers (charts.py, report/) take plain data; this module turns the stored outlines,
gap results and reachability runs into it, so the staff page, the public page and the
report show the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import select

from ..errors import KbmMapError
from ..extensions import db
from ..finding import SearchParams
from ..geo.outlines import outline_credits
from ..models import Location, Offer, Region, Term, Vocabulary
from .charts import Shape
from .gaps import REACH, GapResult, GapRuleError, evaluate
from .indicators import Coverage, coverage
from .modes import BIKE_KMH, WALK_KMH
from .numbers import day, number
from .reach_lookup import ReachTable, latest_shares, reach_tables
from .report import Attribution, Gap, Reach, ReachRow, render_report


class MonitoringError(KbmMapError):
    """The monitoring cannot show or report anything as asked (e.g. no Gemeinden yet)."""


SIMPLIFY = 0.0003  # degrees, about 25 m: invisible on a report's map of a district
SPEEDS = {
    "walk": _l("zu Fuß mit %(walk)s km/h"),
    "bike": _l("mit dem Fahrrad mit %(bike)s km/h, auf Fußwegen geschoben mit %(walk)s km/h"),
    "car": _l(
        "mit dem Auto mit der erlaubten Geschwindigkeit, sonst einem Wert je Straßenart, "
        "ohne Wartezeiten an Kreuzungen"
    ),
}


def outline_shapes() -> list[Shape]:
    """Return the active regions' outlines, slightly simplified, for maps."""
    regions = db.session.scalars(
        select(Region).where(Region.active.is_(True), Region.geom.isnot(None))
    )
    shapes = []
    for region in regions:
        geometry = to_shape(region.geom).simplify(SIMPLIFY, preserve_topology=True)
        shapes.append(Shape(region.code, region.name, mapping(geometry)))
    return shapes


def listing_credits() -> list[str]:
    """Return the credit lines of the sources the published listings come from."""
    from ..exports.metadata import describe_sources

    names = set(db.session.scalars(select(Location.source).distinct()))
    names |= set(db.session.scalars(select(Offer.source).distinct()))
    return [
        s.get("attribution") or s["title"]
        for s in describe_sources(names)
        if s.get("attribution") or s.get("name")
    ]


def gap_findings(results: list[GapResult]) -> list[Gap]:
    """Return the Gemeinden missing a rule as the report's gap rows."""
    found = []
    for result in results:
        share = result.rule.indicator == REACH
        for shortfall in result.failing:
            found.append(
                Gap(
                    code=shortfall.code,
                    name=shortfall.name,
                    rule=result.rule.title,
                    value=shortfall.value,
                    target=shortfall.target,
                    unit="%" if share else "",
                    shortfall=shortfall.missing + (" (geschätzt)" if shortfall.estimated else ""),
                )
            )
    return found


def kind_label(code: str, locale: str = "de") -> str:
    """Return the label of a kind of Lernort."""
    term = db.session.scalar(
        select(Term).where(Term.vocabulary == Vocabulary.LOCATION_KIND.value, Term.code == code)
    )
    return term.label(locale) if term else code


def _reach_row(result) -> ReachRow:
    """Return one Gemeinde's (or the area's) shares."""
    thresholds = [int(m) for m in result.run.thresholds]
    return ReachRow(
        code=result.region_code or "",
        name=result.region_name,
        within={m: result.share(m) for m in thresholds},
        population=round(result.population),
    )


def reach_sections(tables: list[ReachTable], locale: str = "de") -> list[Reach]:
    """Return the newest reachability runs as the report's tables."""
    return [
        Reach(
            kind=kind_label(table.kind, locale),
            mode=table.run.mode,
            rows=[_reach_row(r) for r in table.rows],
            minutes=tuple(table.thresholds),
            total=_reach_row(table.total) if table.total else None,
            method=str(
                _l(
                    "%(speeds)s; Straßennetz %(network)s, berechnet am %(day)s",
                    speeds=str(SPEEDS[table.run.mode])
                    % {"walk": number(WALK_KMH, 1, locale), "bike": number(BIKE_KMH, 0, locale)},
                    network=table.run.network_file,
                    day=day(table.run.created_at.date(), locale),
                )
            ),
            approximate=table.run.approximated,
        )
        for table in tables
    ]


@dataclass
class Monitoring:
    """The figures of a selection and everything shown next to them."""

    coverage: Coverage
    gaps: list[GapResult]
    reach: list[ReachTable]
    gap_error: str = ""  # why the gap rules could not be read (a broken KBM_GAP_RULES)


def gather(
    params: SearchParams,
    day: dt.date | None = None,
    compare: dt.date | None = None,
    gaps: bool = True,
) -> Monitoring:
    """Compute the coverage of a selection, the gap rules (unless gaps=False) and the newest
    reachability runs."""
    figures = coverage(params, day, compare)
    found, problem = [], ""
    if gaps:
        try:
            found = evaluate(day=day, reach=latest_shares)
        except GapRuleError as error:  # the figures still show; the page names the problem
            problem = str(error)
    return Monitoring(figures, found, reach_tables(), problem)


def write_report(
    monitoring: Monitoring, fmt: str, out_path: str | Path, sections=None, indicators=None
) -> Path:
    """Write the committee report of gathered figures."""
    if monitoring.gap_error:  # a committee report must not leave the gaps out silently
        raise MonitoringError(monitoring.gap_error)
    if not monitoring.coverage.areas:
        raise MonitoringError(
            "there are no Gemeinden yet: import them first with `kbm-map regions import FILE` "
            "(see README, Importing data)"
        )
    config = current_app.config
    region = config.get("REGION_NAME") or config.get("SITE_NAME")
    return render_report(
        monitoring.coverage,
        fmt,
        out_path,
        region_name=region,
        sections=sections,
        indicators=indicators,
        shapes=outline_shapes(),
        gaps=gap_findings(monitoring.gaps),
        reach=reach_sections(monitoring.reach) or None,
        attribution=Attribution(outlines=outline_credits(), listings=tuple(listing_credits())),
    )
