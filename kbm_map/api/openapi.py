"""The OpenAPI 3.1 document of the API, built from the same parameter lists the code uses."""

from __future__ import annotations

from flask import current_app, url_for

from .. import __version__
from ..finding import BY_NAME, FILTERS, FLAG_PARAMS, LIST_PARAMS, SORT_VALUES, WHEN_VALUES

PARAMETER_DOCS = {
    "q": ("string", "Search words (German analysis: stems, umlauts, compound parts, typos)."),
    **{f.name: ("string", f.doc) for f in FILTERS},  # the filter registry's own texts
    "age": ("integer", "Age in years (0-120) the offer must suit."),
    "when": ("string", "today, week or month: offers with a date in that period."),
    "from": ("string", "First date (YYYY-MM-DD)."),
    "to": ("string", "Last date (YYYY-MM-DD)."),
    "near": ("string", "Postcode, place name or 'lat,lon'."),
    "radius": ("integer", "Radius around 'near' in km (1-50, default 10)."),
    "sort": ("string", "relevance, distance (needs near), start or name."),
    "page": ("integer", "Page number, from 1."),
    "per_page": ("integer", "Hits per page (1-100, default 20)."),
}


def _parameter(name: str) -> dict:
    """Return the OpenAPI description of one query parameter."""
    kind, text = PARAMETER_DOCS[name]
    schema: dict = {"type": kind}
    if name in LIST_PARAMS:
        choices = BY_NAME[name].choices
        items = {"type": "string", **({"enum": list(choices)} if choices else {})}
        schema = {"type": "array", "items": items}
    elif name == "sort":
        schema["enum"] = list(SORT_VALUES)
    elif name == "when":
        schema["enum"] = list(WHEN_VALUES)
    elif name in FLAG_PARAMS:
        schema["enum"] = ["0", "1"]
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": text,
        "schema": schema,
        **({"style": "form", "explode": True} if name in LIST_PARAMS else {}),
    }


MAP_PARAMETERS = [
    {
        "name": "bbox",
        "in": "query",
        "description": "View as west,south,east,north (WGS84).",
        "schema": {"type": "string"},
    },
    {
        "name": "zoom",
        "in": "query",
        "description": "Web map zoom level (0-19): clusters below 14.",
        "schema": {"type": "integer"},
    },
    {
        "name": "lang",
        "in": "query",
        "description": "Language of labels and links.",
        "schema": {"type": "string"},
    },
]
GEOJSON = {"application/geo+json": {"schema": {"type": "object"}}}


def _map_path(summary: str, operation: str, view_required: bool) -> dict:
    """Describe one of the map endpoints, which take the search filters plus the view."""
    view = [dict(p, required=view_required and p["name"] != "lang") for p in MAP_PARAMETERS]
    filters = [
        _parameter(name) for name in PARAMETER_DOCS if name not in ("sort", "near", "radius")
    ]
    return {
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": view + filters,
            "responses": {
                "200": {"description": summary, "content": GEOJSON},
                "400": _error_response("Unknown or malformed parameter"),
            },
        }
    }


def _monitoring_path(summary: str, operation: str, parameters: list[dict]) -> dict:
    """Describe a monitoring endpoint (404 while the office has not published the figures)."""
    return {
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": summary,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "400": _error_response("Unknown or malformed parameter"),
                "404": _error_response("The figures are not published (KBM_PUBLIC_FIGURES)"),
                "429": _error_response("Too many requests (KBM_FIGURES_RATE_LIMIT per address)"),
            },
        }
    }


def _query(name: str, text: str, schema: dict) -> dict:
    """Return an optional query parameter."""
    return {"name": name, "in": "query", "required": False, "description": text, "schema": schema}


def monitoring_paths() -> dict:
    """Describe /monitoring/coverage, /monitoring/gaps and /monitoring/reach."""
    dates = [
        _query("date", "Reference date (YYYY-MM-DD, default today).", {"type": "string"}),
        _query("compare", "A second reference date to compare with.", {"type": "string"}),
    ]
    filters = [_parameter(f.name) for f in FILTERS]
    return {
        "/monitoring/coverage": _monitoring_path(
            "Lernorte, current Angebote and figures per 1,000 inhabitants per Gemeinde",
            "monitoringCoverage",
            filters + dates,
        ),
        "/monitoring/gaps": _monitoring_path(
            "Gap rules and the Gemeinden that miss them", "monitoringGaps", dates[:1]
        ),
        "/monitoring/reach": _monitoring_path(
            "Population reaching the nearest Lernort of a kind within 5 to 30 minutes",
            "monitoringReach",
            [
                {**_query("kind", "Kind of Lernort code.", {"type": "string"}), "required": True},
                _query("mode", "walk, bike or car.", {"enum": ["walk", "bike", "car"]}),
                _query("layer", "1: include the map layer (GeoJSON).", {"enum": ["0", "1"]}),
            ],
        ),
    }


def _entity_path(noun: str, operation: str) -> dict:
    """Describe the endpoint that returns one published Lernort or Angebot by id."""
    entity = {"type": "object", "additionalProperties": True}
    return {
        "get": {
            "summary": f"One published {noun}",
            "operationId": operation,
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {
                "200": {
                    "description": f"The {noun}",
                    "content": {"application/json": {"schema": entity}},
                },
                "404": _error_response(f"No published {noun} with this id"),
            },
        }
    }


def _error_response(text: str) -> dict:
    """Return a response description with the error body."""
    return {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_document() -> dict:
    """Build the OpenAPI document."""
    entity = {"type": "object", "additionalProperties": True}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SITE_NAME']} API",
            "version": __version__,
            "description": (
                "Published Lernorte and Angebote. "
                "Unknown or malformed parameters are refused with 400."
            ),
        },
        "servers": [{"url": url_for("api.search", _external=True).rsplit("/search", 1)[0]}],
        "paths": {
            "/search": {
                "get": {
                    "summary": "Search Lernorte and Angebote",
                    "operationId": "search",
                    "parameters": [_parameter(name) for name in PARAMETER_DOCS],
                    "responses": {
                        "200": {
                            "description": "Hits, total and facet counts",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/SearchResult"}
                                }
                            },
                        },
                        "400": _error_response("Unknown or malformed parameter"),
                    },
                }
            },
            "/map": _map_path("Clusters or places in a view, as GeoJSON", "mapFeatures", True),
            "/map/places": _map_path("Places on the map as a list", "mapPlaces", False),
            "/map/regions": _map_path(
                "Gemeinden with figures per 1,000 inhabitants", "mapRegions", False
            ),
            **monitoring_paths(),
            "/locations/{id}": _entity_path("Lernort", "getLocation"),
            "/offers/{id}": _entity_path("Angebot", "getOffer"),
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer"},
                                "title": {"type": "string"},
                                "parameter": {"type": "string"},
                                "detail": {"type": "string"},
                            },
                        }
                    },
                    "required": ["error"],
                },
                "SearchResult": {
                    "type": "object",
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "near": {"type": ["object", "null"]},
                        "suggestion": {"type": ["string", "null"]},
                        "fuzzy": {"type": "boolean"},
                        "facets": {"type": "object"},
                        "hits": {"type": "array", "items": entity},
                    },
                    "required": ["total", "facets", "hits"],
                },
            }
        },
    }
