"""What the monitoring pages show (staff "Monitoring", public "Zahlen"): one function for both.

The pages read the same gathered figures and report sections as the committee report, for
one indicator at a time (map, chart, table), plus the gaps and reachability.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..finding import BY_NAME
from ..models import Region, Term, Vocabulary
from .charts import reach_map_svg
from .committee import gap_findings, gather, outline_shapes, reach_sections
from .indicators import INDICATORS
from .params import MonitoringRequest, parse_monitoring
from .reach_layer import class_label, reach_layer
from .report import build_report
from .report.page import template_helpers

CHOICES = (  # the filters offered on the pages: registry name, vocabulary
    ("area", Vocabulary.AREA),
    ("kind", Vocabulary.LOCATION_KIND),
    ("target", Vocabulary.TARGET_GROUP),
    ("topic", Vocabulary.TOPIC),
)


@dataclass
class FilterChoice:
    """One filter of the form: its URL name and the (code, label, selected) options."""

    name: str
    options: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def title(self) -> str:
        """Return the filter's title, as the registry declares it."""
        return str(BY_NAME[self.name].title)


def _choices(wanted: MonitoringRequest, locale: str) -> list[FilterChoice]:
    """Return the filter options of the form in the UI language."""
    found = []
    for name, vocabulary in CHOICES:
        terms = db.session.scalars(
            select(Term)
            .where(Term.vocabulary == vocabulary.value, Term.active.is_(True))
            .order_by(Term.position)
        )
        selected = set(wanted.params.values(name))
        found.append(
            FilterChoice(name, [(t.code, t.label(locale), t.code in selected) for t in terms])
        )
    regions = db.session.execute(select(Region.code, Region.name).order_by(Region.name)).all()
    selected = set(wanted.params.values("region"))
    found.append(FilterChoice("region", [(c, n, c in selected) for c, n in regions]))
    return found


def _reach_maps(monitoring, outlines, locale: str) -> list:
    """Return the newest reachability layers as SVG maps, one per kind and mode."""
    maps = []
    for table, section in zip(
        monitoring.reach, reach_sections(monitoring.reach, locale), strict=True
    ):
        layer = reach_layer(table.run, table.kind)
        labels = [class_label(entry) for entry in layer["legend"]]
        cells = len(layer["features"])
        title = f"{section.kind} {section.mode_text}"
        maps.append(
            reach_map_svg(
                layer,
                outlines,
                title,
                description=str(
                    _l(
                        "%(title)s: %(n)s Rasterzellen zu 500 m, gefärbt nach Reisezeit",
                        title=title,
                        n=cells,
                    )
                ),
                labels=labels,
                ident=f"reach-{table.kind}-{table.run.mode}",
            )
        )
    return maps


def figures_rate_limit():
    """Return a Flask-Limiter decorator for the figures' public pages and API answers.

    Every answer computes the figures afresh (about a second on a large district), so an
    address may ask KBM_FIGURES_RATE_LIMIT times; signed-in staff are not limited.
    """
    from flask_login import current_user

    from ..extensions import limiter

    return limiter.limit(
        lambda: current_app.config["FIGURES_RATE_LIMIT"],
        exempt_when=lambda: current_user.is_authenticated,
    )


def figures_page(args: MultiDict, locale: str, gaps: bool = True) -> dict:
    """Return the template context of a monitoring page for URL arguments (or ParamError)."""
    keys = tuple(i.key for i in INDICATORS)
    wanted = parse_monitoring(args, keys)
    monitoring = gather(wanted.params, wanted.day, wanted.compare, gaps=gaps)
    figures = monitoring.coverage
    available = [i.key for i in figures.indicators]
    key = wanted.indicator if wanted.indicator in available else _default(available)
    outlines = outline_shapes()
    config = current_app.config
    report = build_report(
        figures,
        region_name=config.get("REGION_NAME") or config.get("SITE_NAME"),
        indicators=[key],
        shapes=outlines,
        gaps=gap_findings(monitoring.gaps) if gaps else None,
        reach=reach_sections(monitoring.reach, locale) or None,
        charts=True,
        locale=locale,
    )
    return {
        "report": report,
        "figures": figures,
        "wanted": wanted,
        "indicator": key,
        "indicators": [(i.key, figures.label(i)) for i in figures.indicators],
        "choices": _choices(wanted, locale),
        "gap_results": monitoring.gaps,
        "gap_error": monitoring.gap_error,
        "reach_maps": _reach_maps(monitoring, outlines, locale),
        **template_helpers(locale),
    }


def _default(available: list[str]) -> str:
    """Return the indicator shown first: per 1,000 of the age group where there is one."""
    for key in ("lernorte_je_1000_alter", "lernorte_je_1000"):
        if key in available:
            return key
    return available[0]
