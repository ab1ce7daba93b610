"""Map data under /api/v1: GeoJSON of places or clusters, the list beside the map, Gemeinden."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request, url_for

from ..api import bad_parameter
from ..finding import ParamError, select_for
from .cache import remember
from .features import list_places, map_features
from .regions import choropleth, region_shapes
from .viewparams import parse_map_request

bp = Blueprint("map_api", __name__)
bp.register_error_handler(ParamError, bad_parameter)
LIST_PAGE = 20


@bp.after_request
def open_for_reading(response):
    """Let any website read the map data (it only contains published entries)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


def geojson(data: dict) -> Response:
    """Answer with compact GeoJSON."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, mimetype="application/geo+json")


def region_latitude() -> float:
    """Return the latitude the cluster grid is drawn for (the middle of the region)."""
    _, south, _, north = current_app.config["REGION_BBOX"]
    return (south + north) / 2


def place_url(lang: str):
    """Return a function that links a Lernort's slug to its page in a language."""
    template = url_for("public.location", lang=lang, slug="SLUG")
    prefix = template[: template.rindex("SLUG")]
    # Slugs are made of [a-z0-9-] (kbm_map.text.slugify): no quoting is needed.
    return lambda slug: prefix + slug


@bp.get("/map")
def features():
    """Return clusters (low zoom) or places (high zoom) in a box, for the search filters."""
    wanted = parse_map_request(request.args, need_view=True)
    selection = select_for(wanted.params, remember=remember)
    data = map_features(
        selection,
        wanted.bbox,
        wanted.zoom,
        wanted.lang,
        place_url(wanted.lang),
        region_latitude(),
    )
    return geojson(data)


@bp.get("/map/places")
def places():
    """Return one page of the places on the map, by name, in a box or everywhere."""
    wanted = parse_map_request(request.args)
    selection = select_for(wanted.params, remember=remember)
    page, per_page = wanted.params.page, min(wanted.params.per_page, 50)
    total, items = list_places(
        selection, wanted.bbox, page, per_page, wanted.lang, place_url(wanted.lang)
    )
    body = {"total": total, "page": page, "per_page": per_page, "items": items}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")


@bp.get("/map/regions")
def regions():
    """Return the Gemeinden with Lernorte and Angebote per 1,000 inhabitants, for the filters."""
    wanted = parse_map_request(request.args)
    return geojson(choropleth(select_for(wanted.params, remember=remember)))


@bp.get("/map/outlines")
def outlines():
    """Return the Gemeinde outlines alone (the base map when no tiles are configured)."""
    parse_map_request(request.args)  # nothing to filter, but unknown parameters are an error
    return geojson({"type": "FeatureCollection", "features": region_shapes()})
