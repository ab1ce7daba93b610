"""Resolve what a visitor types into "near" (postcode, place, "lat,lon") to a position."""

from __future__ import annotations

from dataclasses import dataclass

from geoalchemy2.functions import ST_X, ST_Y
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from ..extensions import db
from ..geo.gazetteer import locate, place_key
from ..models import Location, PostcodePlace, Region
from .params import LAT_LON


@dataclass(frozen=True)
class Place:
    """A resolved position with a label to show ("36037 Fulda", "Lindenau")."""

    lon: float
    lat: float
    label: str


def _locations_centre(*where) -> tuple[float, float] | None:
    """Return the mean position of the located Lernorte matching the conditions."""
    row = db.session.execute(
        select(func.avg(ST_X(Location.geom)), func.avg(ST_Y(Location.geom)), func.count()).where(
            Location.geom.isnot(None), *where
        )
    ).one()
    return (float(row[0]), float(row[1])) if row[2] else None


def _by_postcode(postcode: str) -> Place | None:
    """Place a postcode by the gazetteer, else by the Lernorte that have it."""
    hit = locate(postcode, None)
    if hit:
        return Place(hit.lon, hit.lat, postcode)
    centre = _locations_centre(Location.postcode == postcode)
    return Place(*centre, postcode) if centre else None


def _by_name(name: str) -> Place | None:
    """Place a name: a Gemeinde of the region, a gazetteer place, or a town of the Lernorte."""
    key = place_key(name)
    for region in db.session.scalars(select(Region).where(Region.geom.isnot(None))):
        if place_key(region.name) == key:
            point = to_shape(region.geom).representative_point()
            return Place(point.x, point.y, region.name)
    row = db.session.execute(
        select(
            func.avg(PostcodePlace.lon),
            func.avg(PostcodePlace.lat),
            func.min(PostcodePlace.place),
            func.count(),
        ).where(PostcodePlace.place_key == key)
    ).one()
    if row[3]:
        return Place(float(row[0]), float(row[1]), row[2])
    centre = _locations_centre(func.lower(Location.city) == name.strip().lower())
    return Place(*centre, name.strip()) if centre else None


def resolve_place(text: str) -> Place | None:
    """Turn "36037", "Fulda", "36037 Fulda" or "50.55,9.68" into a position, or None."""
    text = text.strip()
    if not text:
        return None
    coordinates = LAT_LON.match(text)
    if coordinates:
        lat, lon = float(coordinates.group(1)), float(coordinates.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return Place(lon, lat, f"{lat:.4f}, {lon:.4f}")
        return None
    first, _, rest = text.partition(" ")
    if first.isdigit() and len(first) == 5:
        if rest:
            hit = locate(first, rest)
            if hit:
                return Place(hit.lon, hit.lat, text)
        return _by_postcode(first)
    return _by_name(text)
