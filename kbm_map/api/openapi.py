"""The OpenAPI 3.1 document of the API, built from the same parameter lists the code uses."""

from __future__ import annotations

from flask import current_app, url_for

from .. import __version__
from ..finding import BY_NAME, FILTERS, FLAG_PARAMS, LIST_PARAMS, SORT_VALUES, WHEN_VALUES
from ..finding.params import MAX_QUERY_LENGTH
from ..maps import MAX_ZOOM

PARAMETER_DOCS = {
    "q": ("string", "Search words (German analysis: stems, umlauts, compound parts, typos)."),
    **{f.name: ("string", f.doc) for f in FILTERS},  # the filter registry's own texts
    "age": ("integer", "Age in years (0-120) the offer must suit."),
    "when": ("string", "today, week or month: offers with a date in that period."),
    "from": ("string", "First date (YYYY-MM-DD)."),
    "to": ("string", "Last date (YYYY-MM-DD), not before 'from'."),
    "near": ("string", "Postcode, place name or 'lat,lon' (the first 100 characters count)."),
    "radius": ("integer", "Radius around 'near' in km (1-50, default 10)."),
    "sort": ("string", "relevance, distance (needs near), start or name."),
    "page": ("integer", "Page number, from 1."),
    "per_page": ("integer", "Hits per page (1-100, default 20)."),
}
# Whole numbers as the API reads them (kbm_map.finding.params): inclusive bounds.
INTEGER_BOUNDS = {"age": (0, 120), "radius": (1, 50), "page": (1, 10_000), "per_page": (1, 100)}
# Yes/no filters: the values a form or a link may send; "", "0" and "false" mean "not set".
FLAG_VALUES = ["", "0", "1", "true", "false", "on"]
# A code as the API accepts it (kbm_map.finding.params.CODE); empty values are ignored.
CODE_PATTERN = r"^\s*([A-Za-z0-9_.:-]{1,64})?\s*$"
DATE = {"type": "string", "format": "date"}
DAY = {"type": "string", "format": "date", "pattern": r"^2\d{3}-\d{2}-\d{2}$"}  # from 2000
EMPTY = {"type": "string", "maxLength": 0}  # an empty value means "not given"


def _optional(schema: dict) -> dict:
    """Return a schema that also allows the empty value (a form field left blank)."""
    return {"anyOf": [schema, EMPTY]}


def _parameter_schema(name: str) -> dict:
    """Return the schema of one search parameter, with the bounds and values the API accepts."""
    if name in LIST_PARAMS:
        choices = BY_NAME[name].choices
        items = (
            {"type": "string", "enum": [*choices, ""]}
            if choices
            else {
                "type": "string",
                "pattern": CODE_PATTERN,
            }
        )
        return {"type": "array", "items": items}
    if name in FLAG_PARAMS:
        return {"type": "string", "enum": FLAG_VALUES}
    if name in INTEGER_BOUNDS:
        low, high = INTEGER_BOUNDS[name]
        return {"type": "integer", "minimum": low, "maximum": high}
    if name == "sort":
        return {"type": "string", "enum": [*SORT_VALUES, ""]}
    if name == "when":
        return {"type": "string", "enum": [*WHEN_VALUES, ""]}
    if name in ("from", "to"):
        return _optional(DATE)
    if name == "q":
        return {"type": "string", "maxLength": MAX_QUERY_LENGTH}
    return {"type": "string"}


def _parameter(name: str) -> dict:
    """Return the OpenAPI description of one query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": PARAMETER_DOCS[name][1],
        "schema": _parameter_schema(name),
        **({"style": "form", "explode": True} if name in LIST_PARAMS else {}),
    }


BBOX_PATTERN = r"^\s*-?\d{1,3}(\.\d{1,20})?\s*(,\s*-?\d{1,3}(\.\d{1,20})?\s*){3}$"


def map_parameters() -> list[dict]:
    """Return the view parameters of the map endpoints: bbox, zoom and lang."""
    languages = list(current_app.config["LANGUAGES"])
    return [
        {
            "name": "bbox",
            "in": "query",
            "description": (
                "View as west,south,east,north (WGS84): west < east within -180..180, "
                "south < north within -90..90; at most 8192 pixels wide and high at the zoom."
            ),
            "schema": {"type": "string", "pattern": BBOX_PATTERN},
            "example": "9.5,50.4,9.9,50.7",
        },
        {
            "name": "zoom",
            "in": "query",
            "description": f"Web map zoom level (0-{MAX_ZOOM}): clusters below 14.",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM},
            "example": 10,
        },
        {
            "name": "lang",
            "in": "query",
            "description": "Language of labels and links (default: the site's default language).",
            "schema": {"type": "string", "enum": [*languages, ""]},
        },
    ]


def _json(schema: dict, media_type: str = "application/json") -> dict:
    """Return a content map of one media type."""
    return {media_type: {"schema": schema}}


def _ref(name: str) -> dict:
    """Return a reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(text: str) -> dict:
    """Return a response description with the error body."""
    return {"description": text, "content": _json(_ref("Error"))}


def _method_not_allowed() -> dict:
    """Describe the 405 answer to any method but GET, HEAD and OPTIONS, with its Allow header."""
    return {
        "description": "Method not allowed: only GET, HEAD and OPTIONS",
        "headers": {
            "Allow": {
                "description": "The methods this path answers",
                "required": True,
                "schema": {"type": "string"},
            }
        },
        "content": _json(_ref("Error")),
    }


def _get(summary: str, operation: str, parameters: list[dict], responses: dict) -> dict:
    """Describe a path answering GET, with the errors every path may answer."""
    return {
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": parameters,
            "responses": {**responses, "405": _method_not_allowed()},
        }
    }


BAD_PARAMETER = "Unknown, repeated or malformed parameter (named in error.parameter)"


def _may_be_empty(parameter: dict) -> dict:
    """Return an optional view parameter, which may also be sent empty."""
    if parameter["name"] == "lang":
        return parameter
    return dict(parameter, required=False, schema=_optional(parameter["schema"]))


def _map_path(summary: str, operation: str, view_required: bool, body: dict) -> dict:
    """Describe one of the map endpoints, which take the search filters plus the view."""
    view = [
        dict(p, required=True) if view_required and p["name"] != "lang" else _may_be_empty(p)
        for p in map_parameters()
    ]
    filters = [
        _parameter(name) for name in PARAMETER_DOCS if name not in ("sort", "near", "radius")
    ]
    return _get(
        summary,
        operation,
        view + filters,
        {"200": {"description": summary, "content": body}, "400": _error_response(BAD_PARAMETER)},
    )


def _monitoring_path(summary: str, operation: str, parameters: list[dict], body: str) -> dict:
    """Describe a monitoring endpoint (404 while the office has not published the figures)."""
    responses = {
        "200": {"description": summary, "content": _json(_ref(body))},
        "400": _error_response(BAD_PARAMETER),
        "404": _error_response("The figures are not published (KBM_PUBLIC_FIGURES)"),
        "429": _error_response("Too many requests (KBM_FIGURES_RATE_LIMIT per address)"),
    }
    if operation == "monitoringGaps":
        responses["500"] = _error_response("The office's gap rules (KBM_GAP_RULES) are broken")
    return _get(summary, operation, parameters, responses)


def _query(name: str, text: str, schema: dict) -> dict:
    """Return an optional query parameter."""
    return {"name": name, "in": "query", "required": False, "description": text, "schema": schema}


def monitoring_paths() -> dict:
    """Describe /monitoring/coverage, /monitoring/gaps and /monitoring/reach."""
    from ..monitoring.indicators import INDICATORS
    from ..monitoring.modes import MODES

    day = "Reference date (YYYY-MM-DD, from 2000-01-01 to today; default today)."
    dates = [
        _query("date", day, _optional(DAY)),
        _query("compare", "A second reference date to compare with (not date).", _optional(DAY)),
    ]
    indicator = _query(
        "indicator",
        "Indicator key (the staff page's map and chart; the answer lists all).",
        {"type": "string", "enum": [*(i.key for i in INDICATORS), ""]},
    )
    filters = [_parameter(f.name) for f in FILTERS]
    kind = {
        **_query("kind", "Kind of Lernort code.", {"type": "string", "pattern": r"^\S.*$"}),
        "required": True,
        "example": "kita",
    }
    return {
        "/monitoring/coverage": _monitoring_path(
            "Lernorte, current Angebote and figures per 1,000 inhabitants per Gemeinde",
            "monitoringCoverage",
            [*filters, *dates, indicator],
            "Coverage",
        ),
        "/monitoring/gaps": _monitoring_path(
            "Gap rules and the Gemeinden that miss them", "monitoringGaps", dates[:1], "Gaps"
        ),
        "/monitoring/reach": _monitoring_path(
            "Population reaching the nearest Lernort of a kind within 5 to 30 minutes",
            "monitoringReach",
            [
                kind,
                _query("mode", ", ".join(MODES) + " (default walk).", {"enum": list(MODES)}),
                _query("layer", "1: include the map layer (GeoJSON).", {"enum": ["0", "1"]}),
            ],
            "Reach",
        ),
    }


# Ids are PostgreSQL INTEGER columns: no entry has an id outside 1..2**31-1.
ENTITY_ID = {"type": "integer", "format": "int32", "minimum": 1, "maximum": 2**31 - 1}


def _entity_path(noun: str, operation: str, body: str) -> dict:
    """Describe the endpoint that returns one published Lernort or Angebot by id."""
    return _get(
        f"One published {noun}",
        operation,
        [{"name": "id", "in": "path", "required": True, "schema": ENTITY_ID}],
        {
            "200": {"description": f"The {noun}", "content": _json(_ref(body))},
            "404": _error_response(f"No published {noun} with this id"),
        },
    )


def _object(properties: dict, required: tuple[str, ...] | None = None) -> dict:
    """Return an object schema; every listed property is required unless told otherwise."""
    names = list(properties) if required is None else list(required)
    return {"type": "object", "properties": properties, "required": names}


STRING, INTEGER, NUMBER, BOOLEAN = (
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
)


def _nullable(schema: dict) -> dict:
    """Return a schema that also allows null."""
    return {"anyOf": [schema, {"type": "null"}]}


def _feature_collection(properties: dict, extra: dict | None = None) -> dict:
    """Return a GeoJSON FeatureCollection schema whose features carry these properties."""
    feature = _object(
        {
            "type": {"const": "Feature"},
            "geometry": _object({"type": STRING, "coordinates": {"type": "array"}}),
            "properties": properties,
        }
    )
    return _object(
        {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": feature}}
        | (extra or {})
    )


def component_schemas() -> dict:
    """Return the schemas of the answers."""
    term = _nullable(_object({"code": STRING, "label": STRING}))
    position = _nullable(_object({"lon": NUMBER, "lat": NUMBER}))
    location = _object(
        {
            "type": {"const": "location"},
            "id": INTEGER,
            "name": STRING,
            "kind": term,
            "address": _nullable(STRING),
            "position": position,
            "url": STRING,
        }
    )
    offer = _object(
        {
            "type": {"const": "offer"},
            "id": INTEGER,
            "title": STRING,
            "offer_type": _nullable(STRING),
            "online": _nullable(BOOLEAN),
            "cost": {"type": "object"},
            "places": {"type": "array", "items": location},
            "url": STRING,
        }
    )
    hit = {
        "oneOf": [location, offer],
        "properties": {
            "highlights": {"type": "object", "additionalProperties": STRING},
            "distance_m": _nullable(INTEGER),
        },
        "required": ["highlights", "distance_m"],
    }
    facet_value = _object({"value": STRING, "label": STRING, "count": INTEGER, "selected": BOOLEAN})
    place = _object(
        {"id": INTEGER, "name": STRING, "kind": _nullable(STRING), "url": STRING},
    )
    region = _object(
        {"code": STRING, "name": STRING, "population": _nullable(INTEGER)},
    )
    per_1000 = _nullable(NUMBER)
    figures = {
        **region["properties"],
        **{n: INTEGER for n in ("locations", "offers", "locations_class", "offers_class")},
        "locations_per_1000": per_1000,
        "offers_per_1000": per_1000,
    }
    classes = {"type": "array", "items": _object({"label": STRING, "fill": STRING})}
    return {
        "Error": _object(
            {
                "error": _object(
                    {
                        "status": INTEGER,
                        "title": STRING,
                        "parameter": STRING,
                        "detail": STRING,
                    },
                    ("status", "title", "detail"),
                )
            }
        ),
        "SearchResult": _object(
            {
                "total": INTEGER,
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                "near": _nullable(_object({"label": STRING, "lon": NUMBER, "lat": NUMBER})),
                "suggestion": _nullable(STRING),
                "fuzzy": BOOLEAN,
                "facets": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": facet_value},
                },
                "hits": {"type": "array", "items": hit},
            }
        ),
        "Location": {**location, "properties": {**location["properties"], "slug": STRING}},
        "Offer": {**offer, "properties": {**offer["properties"], "slug": STRING}},
        "MapFeatures": _feature_collection(
            {"type": "object"}, {"total": INTEGER, "clustered": BOOLEAN}
        ),
        "MapPlaces": _object(
            {
                "total": INTEGER,
                "page": INTEGER,
                "per_page": {"type": "integer", "minimum": 1, "maximum": 50},
                "items": {"type": "array", "items": place},
            }
        ),
        "Regions": _feature_collection(
            _object(figures),
            {"classes": _object({"locations": classes, "offers": classes})},
        ),
        "Outlines": _feature_collection(region),
        "Coverage": _object(
            {"reference_date": STRING, "indicators": {"type": "array"}, "areas": {"type": "array"}},
        ),
        "Gaps": _object({"rules": {"type": "array"}}),
        "Reach": _object(
            {
                "kind": STRING,
                "mode": STRING,
                "computed_at": _nullable(STRING),
                "areas": {"type": "array"},
            }
        ),
    }


def openapi_document() -> dict:
    """Build the OpenAPI document."""
    geojson = "application/geo+json"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SITE_NAME']} API",
            "version": __version__,
            "description": (
                "Published Lernorte and Angebote. Unknown, repeated or malformed parameters "
                "are refused with 400 naming the parameter; an empty value counts as not given. "
                "Errors answer a JSON body {error: {status, title, detail}}."
            ),
        },
        "servers": [{"url": url_for("api.search", _external=True).rsplit("/search", 1)[0]}],
        "paths": {
            "/search": _get(
                "Search Lernorte and Angebote",
                "search",
                [_parameter(name) for name in PARAMETER_DOCS],
                {
                    "200": {
                        "description": "Hits, total and facet counts",
                        "content": _json(_ref("SearchResult")),
                    },
                    "400": _error_response(BAD_PARAMETER),
                },
            ),
            "/map": _map_path(
                "Clusters or places in a view, as GeoJSON",
                "mapFeatures",
                True,
                _json(_ref("MapFeatures"), geojson),
            ),
            "/map/places": _map_path(
                "Places on the map as a list (at most 50 per page)",
                "mapPlaces",
                False,
                _json(_ref("MapPlaces")),
            ),
            "/map/regions": _map_path(
                "Gemeinden with figures per 1,000 inhabitants",
                "mapRegions",
                False,
                _json(_ref("Regions"), geojson),
            ),
            "/map/outlines": _get(
                "Gemeinde outlines (the base map without tiles)",
                "mapOutlines",
                [],
                {
                    "200": {"description": "Outlines", "content": _json(_ref("Outlines"), geojson)},
                    "400": _error_response(BAD_PARAMETER),
                },
            ),
            **monitoring_paths(),
            "/locations/{id}": _entity_path("Lernort", "getLocation", "Location"),
            "/offers/{id}": _entity_path("Angebot", "getOffer", "Offer"),
            "/openapi.json": _get(
                "This document",
                "openapi",
                [],
                {"200": {"description": "OpenAPI 3.1", "content": _json({"type": "object"})}},
            ),
        },
        "components": {"schemas": component_schemas()},
    }
