"""JSON API under /api/v1: search, Lernorte, Angebote and its OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from ..extensions import db
from ..finding import ParamError, parse_params, run_search
from ..models import Location, Offer
from . import monitoring
from .openapi import ENTITY_ID, openapi_document
from .serialize import location_detail, location_summary, offer_detail, offer_summary

bp = Blueprint("api", __name__)


@bp.after_request
def open_for_reading(response):
    """Let any website read the public API (it only publishes published entries)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code >= 400:  # a shared cache must not keep a passing error
        response.headers.setdefault("Cache-Control", "no-store")
    else:
        response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


@bp.errorhandler(ParamError)
def bad_parameter(error: ParamError):
    """Answer a malformed or unknown parameter with 400 and what is wrong."""
    body = {
        "status": 400,
        "title": "Bad Request",
        "parameter": error.param,
        "detail": error.message,
    }
    return jsonify(error=body), 400


@bp.get("/search")
def search():
    """Search Lernorte and Angebote with the parameters of the results page."""
    outcome = run_search(parse_params(request.args, max_per_page=100))
    hits = []
    for item in outcome.items:
        summary = (
            location_summary(item.entity) if item.type == "location" else offer_summary(item.entity)
        )
        summary["highlights"] = {k: str(v) for k, v in item.highlights.items()}
        summary["distance_m"] = round(item.distance_m) if item.distance_m is not None else None
        hits.append(summary)
    return jsonify(
        total=outcome.total,
        page=outcome.params.page,
        per_page=outcome.params.per_page,
        near=(
            {"label": outcome.place.label, "lon": outcome.place.lon, "lat": outcome.place.lat}
            if outcome.place
            else None
        ),
        suggestion=outcome.suggestion,
        fuzzy=outcome.fuzzy,
        facets={
            facet.name: [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                for v in facet.values
            ]
            for facet in outcome.facets
        },
        hits=hits,
    )


def _published(model, entity_id: int):
    """Return a published entry by id, or answer 404."""
    too_large = entity_id > ENTITY_ID["maximum"]  # PostgreSQL refuses it as an INTEGER
    entry = None if too_large else db.session.get(model, entity_id)
    if entry is None or not entry.is_public:
        abort(404)
    return entry


@bp.get("/locations/<int:entity_id>")
def location(entity_id: int):
    """Return one published Lernort."""
    return jsonify(location_detail(_published(Location, entity_id)))


@bp.get("/offers/<int:entity_id>")
def offer(entity_id: int):
    """Return one published Angebot."""
    return jsonify(offer_detail(_published(Offer, entity_id)))


monitoring.register(bp)


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())
