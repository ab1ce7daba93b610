"""Coverage, gaps and reachability as JSON (the API) — the same figures as pages and report."""

from __future__ import annotations

from .gaps import GapResult
from .indicators import Area, Coverage


def _population(value) -> dict | None:
    """Return a population figure with its date and whether it is estimated."""
    if value is None:
        return None
    return {
        "value": value.value,
        "reference_date": value.reference_date.isoformat(),
        "estimated": value.estimated,
        "source": value.source,
    }


def _area(area: Area, figures: Coverage) -> dict:
    """Return one area's counts, population and indicator values."""
    return {
        "code": area.code or None,
        "name": area.name,
        "population": _population(area.population),
        "age_population": _population(area.age_population),
        "values": {i.key: _rounded(area.value(i.key)) for i in figures.indicators},
        "estimated": [i.key for i in figures.indicators if area.estimated(i.key)],
    }


def _rounded(value):
    """Round ratios to 3 decimals; counts stay whole numbers."""
    return round(value, 3) if isinstance(value, float) else value


def coverage_json(figures: Coverage) -> dict:
    """Return a coverage with its comparison as a JSON-ready dict."""
    body = {
        "reference_date": figures.reference_date.isoformat(),
        "filters": [[k, v] for k, v in figures.params.to_args(page=None).items(multi=True)],
        "age_group": list(figures.ages) if figures.ages else None,
        "population_dates": [d.isoformat() for d in figures.population_dates],
        "population_sources": figures.population_sources,
        "indicators": [
            {"key": i.key, "label": figures.label(i), "unit": str(i.unit), "ratio": i.ratio}
            for i in figures.indicators
        ],
        "total": _area(figures.total, figures),
        "without_region": {
            "lernorte": figures.without_region.lernorte,
            "angebote": figures.without_region.angebote,
        },
        "areas": [_area(a, figures) for a in figures.areas],
        "compare": None,
    }
    if figures.compare is not None:
        body["compare"] = coverage_json(figures.compare)
    return body


def gaps_json(results: list[GapResult]) -> list[dict]:
    """Return the gap rules with the Gemeinden that miss them."""
    return [
        {
            "id": r.rule.id,
            "title": r.rule.title,
            "indicator": r.rule.indicator,
            "at_least": r.rule.at_least,
            "checked": r.checked,
            "not_evaluated": r.not_evaluated or None,
            "failing": [
                {
                    "code": s.code,
                    "name": s.name,
                    "value": _rounded(s.value),
                    "missing": s.missing,
                    "estimated": s.estimated,
                }
                for s in r.failing
            ],
        }
        for r in results
    ]
