"""The map pages: the full map, the embeddable map, the snippet builder and oEmbed."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import login_required

from ..finding import ParamError
from ..i18n import add_language, pull_language
from ..maps import json_for_script
from . import embedding, views
from .viewparams import parse_map_request

bp = Blueprint("mapview", __name__)
bp.url_value_preprocessor(pull_language)
bp.url_defaults(add_language)


@bp.app_context_processor
def map_helpers():
    """Give the map templates the JSON serialiser for script elements (csp_nonce is global)."""
    return {"json_for_script": json_for_script}


@bp.get("/<lang:lang>/karte")
def map_page():
    """Show the map with filters and the list of the places beside it."""
    try:
        wanted = parse_map_request(request.args, extra=("layer",))
    except ParamError as error:
        return render_template("map/error.html", error=error), 400
    wanted.lang = g.lang
    response = current_app.make_response(render_template("map/page.html", **views.map_page(wanted)))
    response.headers["Content-Security-Policy"] = embedding.content_security_policy("'self'")
    return response


@bp.get("/embed/map")
def embed():
    """Show the map alone for an iframe: filters fixed by the URL, no header, no cookies."""
    try:
        wanted = parse_map_request(request.args, extra=("height", "layer"))
    except ParamError as error:
        response = current_app.make_response(
            (render_template("embed/error.html", error=error), 400)
        )
        response.headers["Content-Security-Policy"] = embedding.content_security_policy(
            embedding.frame_ancestors()  # the error shows in the same frame as the map would
        )
        return response
    g.lang = wanted.lang
    refresh()  # the language comes from the query here, after Babel may have looked
    response = current_app.make_response(
        render_template("embed/map.html", **views.embed_page(wanted))
    )
    response.headers["Content-Security-Policy"] = embedding.content_security_policy(
        embedding.frame_ancestors()
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.after_request
def no_cookies_in_embeds(response):
    """Keep the embed free of cookies, whatever else ran (it is shown on other sites)."""
    if request.endpoint == "mapview.embed":
        response.headers.remove("Set-Cookie")
    return response


@bp.get("/<lang:lang>/karte/einbetten")
@login_required
def embed_builder():
    """Build the iframe snippet for chosen filters, with a live preview (for staff)."""
    try:
        wanted = parse_map_request(request.args, extra=("height",))
    except ParamError as error:
        return render_template("map/error.html", error=error), 400
    args = wanted.params.to_args(page=None)
    args["lang"] = wanted.lang if request.args.get("lang") else g.lang
    if wanted.height:
        args["height"] = str(wanted.height)
    if wanted.bbox and wanted.zoom is not None:
        args["bbox"] = ",".join(f"{v:.5f}" for v in wanted.bbox)
        args["zoom"] = str(wanted.zoom)
    src = embedding.embed_url(args)
    height = wanted.height or embedding.DEFAULT_HEIGHT
    context = {
        "wanted": wanted,
        "facets": views.filter_facets(wanted),
        "params": wanted.params,
        "src": src,
        "height": height,
        "snippet": embedding.iframe_snippet(src, height, current_app.config["SITE_NAME"]),
        "oembed": embedding.oembed_url(src),
    }
    return render_template("embed/builder.html", **context)


@bp.get("/oembed")
def oembed():
    """Answer oEmbed requests for map and embed URLs of this site (JSON only)."""
    target = embedding.oembed_target(request.args.get("url", ""))
    if target is None:
        abort(404)
    if request.args.get("format", "json") != "json":
        abort(501)
    try:
        wanted = parse_map_request(target, extra=("height", "layer"))
    except ParamError as error:
        body = {"status": 400, "parameter": error.param, "detail": error.message}
        return jsonify(error=body), 400
    width = _dimension("maxwidth", embedding.DEFAULT_WIDTH)
    height = min(wanted.height or embedding.DEFAULT_HEIGHT, _dimension("maxheight", 10_000))
    args = embedding.embed_args(target)
    args["height"] = str(height)
    src = embedding.embed_url(args)
    title = current_app.config["SITE_NAME"]
    return jsonify(
        version="1.0",
        type="rich",
        provider_name=title,
        provider_url=url_for("public.root", _external=True),
        title=_("Karte der Lernorte"),
        html=embedding.iframe_snippet(src, height, title),
        width=width,
        height=height,
        cache_age=3600,
    )


def _dimension(name: str, default: int) -> int:
    """Read maxwidth/maxheight (whole pixels) or answer 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 100 <= int(raw) <= 10_000:
        abort(400, description=f"{name}: 100 to 10000 pixels")
    return int(raw)
