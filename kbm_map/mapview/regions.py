"""Gemeinden for the map: simplified outlines (the base without tiles) and figures per region."""

from __future__ import annotations

import threading

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


def region_figures(selection: Selection) -> dict[str, dict[str, int]]:
    """Count the places on the map and the matching Angebote per Gemeinde (by region code)."""
    places = dict(
        db.session.execute(
            select(Region.code, func.count())
            .join(Location, Location.region_id == Region.id)
            .where(*selection.located_lernorte())
            .group_by(Region.code)
        ).all()
    )
    offers: dict[str, int] = {}
    conditions = selection.offer_conditions(respect_type=False)
    if conditions is not None:
        # From the links to the places: starting at the places, SQLite would try every
        # Angebot for every place (offer_locations has no index on location_id).
        pairs = (
            select(ol.c.offer_id, Location.region_id)
            .select_from(ol)
            .join(Location, Location.id == ol.c.location_id)
            .where(
                ol.c.offer_id.in_(select(Offer.id).where(*conditions)),
                Location.status == PUBLISHED,
                *selection.place_conditions(),
            )
            .distinct()
            .subquery()
        )
        offers = dict(
            db.session.execute(
                select(Region.code, func.count())
                .join(pairs, pairs.c.region_id == Region.id)
                .group_by(Region.code)
            ).all()
        )
    return {
        code: {"locations": places.get(code, 0), "offers": offers.get(code, 0)}
        for code in set(places) | set(offers)
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
