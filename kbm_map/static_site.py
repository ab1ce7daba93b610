"""`kbm-map build-static`: a self-contained copy of the map for CMSs that can only host files.

The site works from any web server and from disk (file://): every link is relative, the data
of the selection is embedded in the page as GeoJSON (read by static/js/map.js, which builds
markers and popups with textContent), and the assets are copied next to it.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from flask import current_app, g, render_template
from flask_babel import refresh
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from .errors import KbmMapError
from .extensions import db
from .models import Location, Offer, Status, offer_locations

MARKER = ".kbm-map-static"  # marks a folder this command wrote, so it may replace it
ASSETS = (
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/images",
    "vendor/jquery/jquery.min.js",
    "vendor/markercluster/leaflet.markercluster.js",
    "vendor/markercluster/MarkerCluster.css",
    "vendor/leaflet/LICENSE",
    "css/site.css",
    "css/map.css",
    "js/map.js",
    "favicon.svg",
)
CHUNK = 500


class StaticSiteError(KbmMapError):
    """The static site cannot be written as asked."""


def _prepare(outdir: Path, force: bool) -> None:
    """Create the folder, or empty one this command wrote before; never touch other folders."""
    if outdir.exists() and any(outdir.iterdir()):
        if not (outdir / MARKER).exists() and not force:
            raise StaticSiteError(
                f"{outdir} is not empty and was not written by build-static; "
                "choose an empty folder or add --force to replace its contents."
            )
        for child in outdir.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    (outdir / "lernort").mkdir(parents=True, exist_ok=True)
    (outdir / MARKER).write_text("written by kbm-map build-static\n")


def _copy_assets(outdir: Path) -> None:
    """Copy the scripts, styles and images the pages use into assets/."""
    static = Path(current_app.static_folder)
    for name in ASSETS:
        source, target = static / name, outdir / "assets" / name
        if not source.exists():
            raise StaticSiteError(f"{source} is missing; run `make setup` to install the assets.")
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def _offers_by_place(ids: list[int]) -> dict[int, list[Offer]]:
    """Return the current published Angebote of each Lernort, by title."""
    found: dict[int, list[Offer]] = defaultdict(list)
    today = date.today()
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            select(offer_locations.c.location_id, Offer)
            .join(Offer, Offer.id == offer_locations.c.offer_id)
            .where(
                offer_locations.c.location_id.in_(ids[start : start + CHUNK]),
                Offer.status == Status.PUBLISHED.value,
                or_(Offer.valid_until.is_(None), Offer.valid_until >= today),
            )
            .options(selectinload(Offer.sessions))
            .order_by(Offer.title)
        )
        for location_id, offer in rows:
            found[location_id].append(offer)
    return found


def _write_places(outdir: Path, places: list[dict], title: str) -> None:
    """Write one page per Lernort."""
    ids = [p["id"] for p in places]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        offers = _offers_by_place(chunk)
        locations = db.session.scalars(
            select(Location)
            .where(Location.id.in_(chunk))
            .options(
                selectinload(Location.kind),
                selectinload(Location.areas),
                selectinload(Location.organization),
                selectinload(Location.region),
            )
        )
        for location in locations:
            html = render_template(
                "map/static/location.html",
                location=location,
                offers=offers.get(location.id, []),
                site_title=title,
                root="../",
                today=date.today(),
                now=datetime.now(),
            )
            (outdir / "lernort" / f"{location.slug}.html").write_text(html, encoding="utf-8")
        db.session.expunge_all()  # keep memory flat for 10,000 pages


def build_static_site(outdir: Path, args: MultiDict, lang: str, force: bool = False) -> int:
    """Write the map, the list and the Lernort pages of a selection; return the place count."""
    from .finding import select_for
    from .mapview.features import all_places, point_feature
    from .mapview.regions import choropleth
    from .mapview.viewparams import parse_map_request
    from .mapview.views import area_legend, client_config, map_shell

    g.lang = lang
    refresh()
    wanted = parse_map_request(args)
    wanted.lang = lang
    selection = select_for(wanted.params)
    places = all_places(selection, lang, lambda slug: f"lernort/{slug}.html")
    legend = area_legend(lang)
    shell = map_shell(lang, legend, asset_url=lambda path: f"assets/{path}", clusters=True)
    config = client_config(wanted, shell, legend, "static", selection)
    data = {
        "places": {"type": "FeatureCollection", "features": [point_feature(p) for p in places]},
        "regions": choropleth(selection),
    }
    _prepare(outdir, force)
    title = current_app.config["SITE_NAME"]
    html = render_template(
        "map/static/index.html",
        shell=shell,
        map_config=config,
        map_data=data,
        places=places,
        legend=legend,
        params=wanted.params,
        site_title=title,
        root="",
        today=date.today(),
    )
    (outdir / "index.html").write_text(html, encoding="utf-8")
    _write_places(outdir, places, title)
    _copy_assets(outdir)
    return len(places)
