"""Monitoring figures under /api/v1/monitoring: coverage per Gemeinde, gap rules, reachability.

Published only when the office switches it on (KBM_PUBLIC_FIGURES=1); signed-in staff may
always read them.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, request
from flask_login import current_user

from ..finding import ParamError
from ..monitoring.gaps import GapRuleError, evaluate
from ..monitoring.indicators import INDICATORS, coverage
from ..monitoring.page import figures_rate_limit
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


def _answer(body: dict, status: int = 200):
    """Return a JSON answer; figures only staff may read stay out of shared caches."""
    response = jsonify(body)
    response.status_code = status
    if not current_app.config["PUBLIC_FIGURES"]:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def register(bp) -> None:
    """Add the monitoring endpoints to the API blueprint."""

    @bp.get("/monitoring/coverage")
    @figures_rate_limit()
    def monitoring_coverage():
        """Lernorte, current Angebote and figures per 1,000 inhabitants per Gemeinde."""
        _guard()
        wanted = parse_monitoring(request.args, tuple(i.key for i in INDICATORS))
        return _answer(coverage_json(coverage(wanted.params, wanted.day, wanted.compare)))

    @bp.get("/monitoring/gaps")
    @figures_rate_limit()
    def monitoring_gaps():
        """The gap rules and the Gemeinden that miss them."""
        _guard()
        unknown = sorted(set(request.args) - {"date"})
        if unknown:
            raise ParamError(unknown[0], "unknown parameter; this endpoint takes only date")
        wanted = parse_monitoring(request.args)
        try:
            results = evaluate(day=wanted.day, reach=latest_shares)
        except GapRuleError as error:  # the office's KBM_GAP_RULES file is broken
            detail = f"The gap rules cannot be read: {error}"
            problem = {"status": 500, "title": "Internal Server Error", "detail": detail}
            return _answer({"error": problem}, 500)
        return _answer({"rules": gaps_json(results)})

    @bp.get("/monitoring/reach")
    @figures_rate_limit()
    def monitoring_reach():
        """Shares of the population reaching a Lernort of a kind within 5 to 30 minutes."""
        _guard()
        return _answer(reach_json(request.args))
