"""The newest reachability figures, as the gap rules, pages, API and report read them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..finding import ParamError
from ..models.reach import ReachLayer, ReachResult, ReachRun
from .modes import MODES
from .reach_layer import reach_layer
from .reachability import OSM_ATTRIBUTION, newest_run


@dataclass
class ReachTable:
    """The newest run of a mode for a kind: its figures per Gemeinde and for the area."""

    run: ReachRun
    kind: str
    rows: list[ReachResult]  # the Gemeinden, by name
    total: ReachResult | None
    attribution: str = OSM_ATTRIBUTION

    @property
    def thresholds(self) -> list[int]:
        """Return the minutes the run counted."""
        return [int(t) for t in self.run.thresholds]


def reach_table(mode: str, kind: str, every_lernort: bool = False) -> ReachTable | None:
    """Return the newest figures of a mode and kind, or None if never computed.

    every_lernort=True: only from a run that counted every Lernort of the kind (no filters).
    """
    run = newest_run(mode, kind, every_lernort)
    if run is None:
        return None
    results = run.results_for(kind)
    rows = sorted((r for r in results if not r.is_total), key=lambda r: r.region_name.casefold())
    total = next((r for r in results if r.is_total), None)
    return ReachTable(run, kind, rows, total)


def reach_tables() -> list[ReachTable]:
    """Return the newest figures of every mode and kind ever computed."""
    pairs = db.session.execute(
        select(ReachRun.mode, ReachLayer.kind)
        .join(ReachLayer, ReachLayer.run_id == ReachRun.id)
        .distinct()
    ).all()
    order = {mode: i for i, mode in enumerate(MODES)}
    tables = [reach_table(mode, kind) for mode, kind in pairs]
    return sorted((t for t in tables if t), key=lambda t: (t.kind, order.get(t.run.mode, 9)))


def latest_shares(rule) -> dict[str, tuple[float, float]] | None:
    """Return {Gemeinde code: (share within the rule's minutes, population)} of a rule, or None.

    The figures come from the newest run of the rule's mode that counted every Lernort of its
    kind: a run restricted by other filters (e.g. one Träger's Kitas) does not answer it.
    """
    table = reach_table(rule.mode, rule.kind, every_lernort=True)
    if table is None or rule.minutes not in table.thresholds:
        return None
    return {
        r.region_code: (r.share(rule.minutes) or 0.0, r.population)
        for r in table.rows
        if r.population
    }


def _result_json(result: ReachResult, thresholds: list[int]) -> dict:
    """Return one Gemeinde's (or the area's) figures."""
    return {
        "code": result.region_code,
        "name": result.region_name,
        "population": round(result.population),
        "within": {str(t): round(result.within.get(str(t), 0.0)) for t in thresholds},
        "share": {
            str(t): None if result.share(t) is None else round(result.share(t), 4)
            for t in thresholds
        },
        "not_reachable": round(result.not_reachable),
        "not_covered": round(result.not_covered),
        "median_minutes": result.median_minutes,
    }


def reach_json(args: MultiDict) -> dict:
    """Answer /api/v1/monitoring/reach: the newest figures (and map layer) of a kind and mode."""
    unknown = sorted(set(args) - {"kind", "mode", "layer"})
    if unknown:
        known = "kind, mode, layer"
        raise ParamError(
            unknown[0], str(_l("unbekannter Parameter; bekannt sind: %(known)s", known=known))
        )
    mode = args.get("mode", "walk")
    if mode not in MODES:
        raise ParamError("mode", str(_l("erlaubt sind %(v)s", v=", ".join(MODES))))
    kind = args.get("kind", "").strip()
    if not kind:
        raise ParamError("kind", str(_l("fehlt")))
    if args.get("layer", "0") not in ("0", "1"):
        raise ParamError("layer", str(_l("erlaubt sind 1 oder 0")))
    table = reach_table(mode, kind)
    if table is None:
        return {"kind": kind, "mode": mode, "computed_at": None, "areas": [], "total": None}
    body = {
        "kind": kind,
        "mode": mode,
        "computed_at": table.run.created_at.isoformat(timespec="seconds"),
        "network": table.run.network_file,
        "approximated": table.run.approximated,
        "thresholds": table.thresholds,
        "areas": [_result_json(r, table.thresholds) for r in table.rows],
        "total": _result_json(table.total, table.thresholds) if table.total else None,
        "attribution": table.attribution,
    }
    if args.get("layer") == "1":
        body["layer"] = reach_layer(table.run, kind)
    return body
