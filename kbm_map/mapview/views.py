"""What the map pages show: the folium shell, the filters, the list and the browser's settings."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, url_for
from flask_babel import gettext as _
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import select

from ..extensions import db
from ..finding import Selection, run_search, select_for
from ..geo.outlines import outline_credits
from ..geo.spatial import bbox_around
from ..maps import MapParts, build_map, build_position_map, render_parts
from ..models import Term, Vocabulary
from .api import LIST_PAGE, place_url, region_latitude
from .cache import remember
from .features import list_places
from .regions import TOLERANCE, rounded
from .viewparams import MapRequest

SYMBOLS = 8  # distinct marker shapes in static/css/map.css


def area_legend(lang: str) -> list[dict]:
    """Return the Bildungsbereiche with their marker symbol (shape and colour) and name."""
    terms = db.session.scalars(
        select(Term)
        .where(Term.vocabulary == Vocabulary.AREA.value, Term.active.is_(True))
        .order_by(Term.position, Term.code)
    )
    return [
        {"code": t.code, "label": t.label(lang), "symbol": str(i % SYMBOLS + 1)}
        for i, t in enumerate(terms)
    ]


def _with_credits(note: str) -> str:
    """Add the outlines' credit lines to the attribution note of a map without tiles."""
    credits = outline_credits()
    return f"{note} ({credits})" if credits else note


def map_shell(lang: str, legend: list[dict], asset_url=None, clusters: bool = False) -> MapParts:
    """Build and render the folium shell with the configured tiles and the legend."""
    config = current_app.config
    return render_parts(
        build_map(
            center=config["MAP_CENTER"],
            zoom=config["MAP_ZOOM"],
            asset_url=asset_url or (lambda path: url_for("static", filename=path)),
            label=_("Karte der Lernorte"),
            legend=[{"symbol": e["symbol"], "label": e["label"]} for e in legend],
            legend_title=_("Bildungsbereich"),
            tile_url=config["TILE_URL"],
            tile_attribution=config["TILE_ATTRIBUTION"],
            no_tiles_note=_with_credits(_("Ohne Hintergrundkarte: Grenzen der Gemeinden")),
            clusters=clusters,
        )
    )


def client_labels() -> dict[str, str]:
    """Return the texts map.js shows, in the UI language ({n} etc. filled in by the script)."""
    return {
        "cluster": _("%(n)s Lernorte – heranzoomen", n="{n}"),
        "status": _("%(n)s Lernorte in diesem Kartenausschnitt", n="{n}"),
        "statusOne": _("1 Lernort in diesem Kartenausschnitt"),
        "statusNone": _("Keine Lernorte in diesem Kartenausschnitt"),
        "loading": _("Karte wird geladen …"),
        "failed": _("Die Karte konnte nicht geladen werden. Die Liste zeigt die Lernorte."),
        "details": _("Zur Seite des Lernorts"),
        "showOnMap": _("Auf der Karte zeigen"),
        "listAll": _("in der ganzen Auswahl"),
        "listArea": _("im gewählten Kartenausschnitt"),
        "listCount": _("%(n)s Lernorte", n="{n}"),
        "listOne": _("1 Lernort"),
        "listEmpty": _("Hier gibt es keine passenden Lernorte."),
        "previous": _("Vorherige Seite"),
        "next": _("Nächste Seite"),
        "pageOf": _("Seite %(page)s von %(pages)s", page="{page}", pages="{pages}"),
        "locations": _("Lernorte je 1.000 Einwohner"),
        "offers": _("Angebote je 1.000 Einwohner"),
        "noData": _("keine Einwohnerzahl"),
        "region": _("%(name)s: %(value)s je 1.000 Einwohner", name="{name}", value="{value}"),
        "regionCounts": _(
            "%(count)s bei %(population)s Einwohnern", count="{count}", population="{population}"
        ),
        "tableCaption": _("Werte je Gemeinde"),
        "gemeinde": _("Gemeinde"),
        "value": _("je 1.000 Einwohner"),
    }


def client_config(
    wanted: MapRequest, shell: MapParts, legend: list[dict], mode: str, selection: Selection
) -> dict:
    """Return the settings map.js reads from the page."""
    filters = wanted.params.to_args(page=None)
    place = selection.place
    fit = bbox_around(place.lon, place.lat, wanted.params.radius_km * 1000) if place else None
    return {
        "mode": mode,
        "fit": fit,
        "page": wanted.params.page,
        "height": wanted.height,
        "map": shell.name,
        "lang": wanted.lang,
        "filters": [[k, v] for k, v in filters.items(multi=True)],
        "bbox": wanted.bbox,
        "zoom": wanted.zoom,
        "tiles": bool(current_app.config["TILE_URL"]),
        "symbols": {e["code"]: e["symbol"] for e in legend},
        "layer": wanted.layer,
        "perPage": LIST_PAGE,
        "api": {
            "features": url_for("map_api.features"),
            "places": url_for("map_api.places"),
            "regions": url_for("map_api.regions"),
            "outlines": url_for("map_api.outlines"),
        },
        "labels": client_labels(),
    }


def filter_facets(wanted: MapRequest):
    """Return the search page's facets for the filter form (values in use, labelled)."""
    params = replace(wanted.params, page=1, per_page=1, sort="relevance")
    return run_search(params).facets


def list_args(wanted: MapRequest) -> dict[str, list[str]]:
    """Return the URL arguments of the list's other pages (filters, area, layer)."""
    args = wanted.params.to_args(page=None).to_dict(flat=False)
    if wanted.bbox:
        args["bbox"] = [",".join(str(v) for v in wanted.bbox)]
    if wanted.layer != "places":
        args["layer"] = [wanted.layer]
    return args


def map_page(wanted: MapRequest) -> dict:
    """Collect what the full map page shows."""
    selection: Selection = select_for(wanted.params, remember=remember)
    legend = area_legend(wanted.lang)
    shell = map_shell(wanted.lang, legend)
    page = wanted.params.page
    total, items = list_places(
        selection, wanted.bbox, page, LIST_PAGE, wanted.lang, place_url(wanted.lang)
    )
    return {
        "wanted": wanted,
        "params": wanted.params,
        "selection": selection,
        "shell": shell,
        "legend": legend,
        "facets": filter_facets(wanted),
        "total": total,
        "items": items,
        "pages": max(1, -(-total // LIST_PAGE)),
        "per_page": LIST_PAGE,
        "list_args": list_args(wanted),
        "map_config": client_config(wanted, shell, legend, "live", selection),
        "latitude": region_latitude(),
    }


def embed_page(wanted: MapRequest) -> dict:
    """Collect what the embedded map shows (no filters to change, no list)."""
    selection = select_for(wanted.params, remember=remember)
    legend = area_legend(wanted.lang)
    shell = map_shell(wanted.lang, legend)
    full = wanted.params.to_args(page=None).to_dict(flat=False)
    return {
        "wanted": wanted,
        "shell": shell,
        "full_url": url_for("mapview.map_page", lang=wanted.lang, _external=True, **full),
        "map_config": client_config(wanted, shell, legend, "embed", selection),
    }


def position_map(location) -> MapParts | None:
    """Return the small map of a Lernort's position for its page, or None without a position."""
    if location.geom is None:
        return None
    point = to_shape(location.geom)
    outline = None
    if location.region is not None and location.region.geom is not None:
        shape = mapping(to_shape(location.region.geom).simplify(TOLERANCE, preserve_topology=True))
        outline = {"type": shape["type"], "coordinates": rounded(shape["coordinates"])}
    config = current_app.config
    return render_parts(
        build_position_map(
            lon=point.x,
            lat=point.y,
            asset_url=lambda path: url_for("static", filename=path),
            label=_("Lage auf der Karte"),
            outline=outline,
            tile_url=config["TILE_URL"],
            tile_attribution=config["TILE_ATTRIBUTION"],
            no_tiles_note=_with_credits(_("Ohne Hintergrundkarte: Grenze der Gemeinde")),
        )
    )
