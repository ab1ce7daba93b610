"""Gemeinden for the map: simplified outlines (the base without tiles) and figures per region."""

from __future__ import annotations

import threading

import numpy as np
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import func, select

from ..extensions import db
from ..finding import Selection
from ..finding.filters import PUBLISHED
from ..models import Location, Offer, Region
from ..models import offer_locations as ol
from .cache import remember

TOLERANCE = 0.0005  # degrees, about 40 m: invisible at the zooms where the outlines matter
_shapes_lock = threading.Lock()
_shapes: dict[tuple, list[dict]] = {}


def rounded(coordinates):
    """Round nested coordinates to 5 decimals (about 1 m) to keep the response small."""
    if isinstance(coordinates[0], int | float):
        return [round(coordinates[0], 5), round(coordinates[1], 5)]
    return [rounded(part) for part in coordinates]


def region_shapes() -> list[dict]:
    """Return the active Gemeinden with a polygon as simplified GeoJSON features (cached)."""
    stamp = db.session.execute(
        select(func.count(), func.max(Region.updated_at)).where(
            Region.active.is_(True), Region.geom.isnot(None)
        )
    ).one()
    key = (str(db.engine.url), stamp[0], stamp[1])
    with _shapes_lock:
        if key in _shapes:
            return _shapes[key]
    features = []
    regions = db.session.scalars(
        select(Region).where(Region.active.is_(True), Region.geom.isnot(None)).order_by(Region.code)
    )
    for region in regions:
        shape = to_shape(region.geom).simplify(TOLERANCE, preserve_topology=True)
        geometry = mapping(shape)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": rounded(geometry["coordinates"]),
                },
                "properties": {
                    "code": region.code,
                    "name": region.name,
                    "population": region.population,
                },
            }
        )
    with _shapes_lock:
        _shapes.clear()  # only the newest state is worth keeping
        _shapes[key] = features
    return features


def _column(statement, width: int = 1) -> np.ndarray:
    """Return the integer rows of a select as a numpy array (fetched without row objects)."""
    cursor = db.session.connection().execute(statement).cursor
    rows = cursor.fetchall()
    cursor.close()
    if not rows:
        return np.zeros((0, width), dtype=np.int64)
    return np.array(rows, dtype=np.int64).reshape(len(rows), width)


def region_figures(selection: Selection) -> dict[str, dict[str, int]]:
    """Count the places on the map and the matching Angebote per Gemeinde (by region code).

    Plain selects of integers, counted with numpy: the Gemeinde of each place and of each
    host, the matching Angebote and all links. Joined in SQL, SQLite's planner walked the
    links once per place or per Angebot (seconds to minutes on 100,000 Angebote); Python
    sets and row objects took 0.7 s.
    """
    regions = db.session.execute(select(Region.id, Region.code).order_by(Region.id)).all()
    if not regions:
        return {}
    codes = [code for _, code in regions]
    index = np.full(max(r for r, _ in regions) + 1, -1, dtype=np.int64)
    index[[r for r, _ in regions]] = np.arange(len(regions))
    located = _column(
        select(Location.region_id).where(*selection.located_lernorte(), Location.region_id > 0)
    )[:, 0]
    places = np.bincount(index[located[located < len(index)]] + 1, minlength=len(codes) + 1)[1:]
    offers = np.zeros(len(codes), dtype=np.int64)
    conditions = selection.offer_conditions(respect_type=False)
    if conditions is not None:
        hosts = _column(
            select(Location.id, Location.region_id).where(
                Location.status == PUBLISHED,
                Location.region_id > 0,
                *selection.place_conditions(),
            ),
            2,
        )
        matching = _column(select(Offer.id).where(*conditions))[:, 0]
        # All links, filtered here: any join or IN (subquery) on them leads SQLite astray.
        links = _column(select(ol.c.offer_id, ol.c.location_id), 2)
        if len(hosts) and len(matching) and len(links):
            host_region = np.full(max(hosts[:, 0].max(), links[:, 1].max()) + 1, -1, np.int64)
            known = hosts[:, 1] < len(index)
            host_region[hosts[known, 0]] = index[hosts[known, 1]]
            wanted = np.zeros(max(matching.max(), links[:, 0].max()) + 1, dtype=bool)
            wanted[matching] = True
            region_of_link = host_region[links[:, 1]]
            keep = wanted[links[:, 0]] & (region_of_link >= 0)
            # An Angebot counts once per Gemeinde, however many of its places lie there.
            pairs = np.unique(links[keep, 0] * len(codes) + region_of_link[keep])
            offers = np.bincount(pairs % len(codes), minlength=len(codes))
    return {
        code: {"locations": int(places[i]), "offers": int(offers[i])}
        for i, code in enumerate(codes)
        if places[i] or offers[i]
    }


def choropleth(selection: Selection) -> dict:
    """Return the Gemeinden with population, places and Angebote, and both per 1,000 people."""
    key = ("regions", str(db.engine.url), selection.key())
    figures = remember(key, lambda: region_figures(selection))
    features = []
    for shape in region_shapes():
        properties = dict(shape["properties"])
        counts = figures.get(properties["code"], {"locations": 0, "offers": 0})
        population = properties["population"]
        properties.update(counts)
        for name in ("locations", "offers"):
            properties[f"{name}_per_1000"] = (
                round(counts[name] * 1000 / population, 2) if population else None
            )
        features.append({**shape, "properties": properties})
    return {"type": "FeatureCollection", "features": features, "classes": _classes(features)}


def _classes(features: list[dict]) -> dict[str, list[dict]]:
    """Classify the figures per 1,000 as the monitoring does; give each Gemeinde its class."""
    from flask_babel import get_locale

    from ..monitoring.classes import class_breaks

    classes = {}
    for name in ("locations", "offers"):
        key = f"{name}_per_1000"
        breaks = class_breaks((f["properties"][key] for f in features), locale=str(get_locale()))
        for feature in features:
            feature["properties"][f"{name}_class"] = breaks.index(feature["properties"][key])
        classes[name] = [{"label": c.label, "fill": c.fill} for c in breaks.classes]
    return classes
