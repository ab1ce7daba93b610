"""Monitoring figures under /api/v1/monitoring: coverage per Gemeinde, gap rules, reachability.

Published only when the office switches it on (KBM_PUBLIC_FIGURES=1); signed-in staff may
always read them.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, request
from flask_login import current_user

from ..monitoring.gaps import evaluate
from ..monitoring.indicators import INDICATORS, coverage
from ..monitoring.params import parse_monitoring
from ..monitoring.reach_lookup import latest_shares, reach_json
from ..monitoring.serialize import coverage_json, gaps_json


def figures_visible() -> bool:
    """Tell whether this request may read the monitoring figures."""
    return current_app.config["PUBLIC_FIGURES"] or current_user.is_authenticated


def _guard() -> None:
    """Answer 404 while the figures are not published."""
    if not figures_visible():
        abort(404, description="The monitoring figures are not published here.")


def register(bp) -> None:
    """Add the monitoring endpoints to the API blueprint."""

    @bp.get("/monitoring/coverage")
    def monitoring_coverage():
        """Lernorte, current Angebote and figures per 1,000 inhabitants per Gemeinde."""
        _guard()
        wanted = parse_monitoring(request.args, tuple(i.key for i in INDICATORS))
        return jsonify(coverage_json(coverage(wanted.params, wanted.day, wanted.compare)))

    @bp.get("/monitoring/gaps")
    def monitoring_gaps():
        """The gap rules and the Gemeinden that miss them."""
        _guard()
        wanted = parse_monitoring(request.args)
        return jsonify(rules=gaps_json(evaluate(day=wanted.day, reach=latest_shares)))

    @bp.get("/monitoring/reach")
    def monitoring_reach():
        """Shares of the population reaching a Lernort of a kind within 5 to 30 minutes."""
        _guard()
        return jsonify(reach_json(request.args))
