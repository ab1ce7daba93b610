"""The map's URL parameters on top of the search vocabulary: bbox, zoom, lang, height, layer."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ..finding import EXTRA_PARAMS, ParamError, SearchParams, parse_params
from ..maps import MAX_ZOOM

NUMBER = r"\s*(-?\d{1,3}(?:\.\d{1,20})?)\s*"
BBOX = re.compile(rf"^{NUMBER},{NUMBER},{NUMBER},{NUMBER}$")
MAX_VIEW_PX = 8192  # a box wider or taller than this on screen is not a map view
LAYERS = ("places", "locations", "offers")  # markers, Lernorte or Angebote per 1,000 people
HEIGHTS = (200, 1200)


@dataclass
class MapRequest:
    """Validated map parameters: the search filters plus the view."""

    params: SearchParams
    bbox: tuple[float, float, float, float] | None
    zoom: int | None
    lang: str
    height: int | None = None
    layer: str = "places"


def _bbox(raw: str) -> tuple[float, float, float, float] | None:
    """Read west,south,east,north in degrees."""
    if not raw.strip():
        return None
    match = BBOX.match(raw)
    message = str(_l("erwartet West,Süd,Ost,Nord in Grad, z. B. 9.5,50.4,9.9,50.7"))
    if not match:
        raise ParamError("bbox", message)
    west, south, east, north = (float(v) for v in match.groups())
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ParamError("bbox", message)
    return west, south, east, north


def _zoom(raw: str) -> int | None:
    """Read a zoom level."""
    if not raw.strip():
        return None
    if not raw.strip().isdigit() or int(raw) > MAX_ZOOM:
        raise ParamError("zoom", str(_l("erwartet eine ganze Zahl von 0 bis %(n)s", n=MAX_ZOOM)))
    return int(raw)


def _check_view_size(bbox, zoom: int) -> None:
    """Refuse a box far larger than any screen at that zoom (it would hold too many cells)."""
    west, south, east, north = bbox
    scale = 256 * 2**zoom / 360
    y_north = math.degrees(math.asinh(math.tan(math.radians(min(north, 85.0)))))
    y_south = math.degrees(math.asinh(math.tan(math.radians(max(south, -85.0)))))
    if (east - west) * scale > MAX_VIEW_PX or (y_north - y_south) * scale > MAX_VIEW_PX:
        raise ParamError("bbox", str(_l("ist für diese Zoomstufe zu groß")))


def _choice(args: MultiDict, name: str, allowed, default: str) -> str:
    """Read one of a few allowed values."""
    value = args.get(name, "").strip() or default
    if value not in allowed:
        raise ParamError(name, str(_l("erlaubt sind %(v)s", v=", ".join(allowed))))
    return value


def parse_map_request(
    args: MultiDict, need_view: bool = False, extra: tuple[str, ...] = ()
) -> MapRequest:
    """Validate the search filters and the view, or raise ParamError naming the parameter."""
    allow = (*EXTRA_PARAMS, "lang", *extra)
    params = parse_params(args, allow=allow)
    for name in allow:
        if len(args.getlist(name)) > 1:
            raise ParamError(name, str(_l("darf nur einmal vorkommen")))
    bbox, zoom = _bbox(args.get("bbox", "")), _zoom(args.get("zoom", ""))
    if need_view and bbox is None:
        raise ParamError("bbox", str(_l("fehlt")))
    if need_view and zoom is None:
        raise ParamError("zoom", str(_l("fehlt")))
    if bbox is not None and zoom is not None and need_view:
        _check_view_size(bbox, zoom)
    languages = current_app.config["LANGUAGES"]
    lang = _choice(args, "lang", languages, current_app.config["BABEL_DEFAULT_LOCALE"])
    request = MapRequest(params, bbox, zoom, lang)
    if "height" in extra:
        raw = args.get("height", "").strip()
        if raw:
            if not raw.isdigit() or not HEIGHTS[0] <= int(raw) <= HEIGHTS[1]:
                raise ParamError(
                    "height",
                    str(_l("erwartet Pixel von %(a)s bis %(b)s", a=HEIGHTS[0], b=HEIGHTS[1])),
                )
            request.height = int(raw)
    if "layer" in extra:
        request.layer = _choice(args, "layer", LAYERS, "places")
    return request
