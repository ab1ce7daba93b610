"""Recognise the coordinate reference system of input coordinates and reproject to WGS84."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from .records import ImportFileError

WGS84 = "EPSG:4326"
# Germany with a small margin: (min_lon, min_lat, max_lon, max_lat).
GERMANY_BBOX = (5.8, 47.2, 15.1, 55.1)

_EPSG = re.compile(r"EPSG[:/]*(?:[\d.]*[:/]+)?(\d{4,5})$", re.IGNORECASE)


def crs_from_name(name: str) -> str:
    """Return 'EPSG:n' for names like 'EPSG:25832', 'urn:ogc:def:crs:EPSG::25832', 'CRS84'."""
    cleaned = name.strip()
    if cleaned.upper().endswith("CRS84") or cleaned.upper().endswith("CRS:84"):
        return WGS84  # CRS84 is WGS84 in lon/lat order, which is how we read EPSG:4326 too
    match = _EPSG.search(cleaned.replace("/0/", "/"))
    code = f"EPSG:{match[1]}" if match else cleaned
    try:
        CRS.from_user_input(code)
    except CRSError:
        raise ImportFileError(
            f"coordinate system {name!r} is not known; write it as EPSG:<number>, "
            "e.g. EPSG:25832 for UTM zone 32N"
        ) from None
    return code


def guess_crs(points: Iterable[tuple[float, float]]) -> str | None:
    """Guess the CRS of German coordinates from their ranges, or None if they fit none."""
    xs, ys = [], []
    for x, y in points:
        xs.append(x)
        ys.append(y)
        if len(xs) >= 1000:  # a sample is enough to tell the systems apart
            break
    if not xs:
        return None
    lo_x, hi_x, lo_y, hi_y = min(xs), max(xs), min(ys), max(ys)
    if lo_x >= -180 and hi_x <= 180 and lo_y >= -90 and hi_y <= 90:
        return WGS84
    if not (lo_y >= 5_200_000 and hi_y <= 6_120_000):
        return None
    if lo_x >= 280_000 and hi_x <= 920_000:
        return "EPSG:25832"  # ETRS89 / UTM 32N, the usual German official system
    if lo_x >= 32_280_000 and hi_x <= 32_920_000:
        return "EPSG:4647"  # UTM 32N with the zone number written before the easting
    for zone, epsg in ((2, 31466), (3, 31467), (4, 31468), (5, 31469)):
        # Gauss-Krüger: the first digit of the 7-digit easting is the zone.
        if zone * 1_000_000 + 280_000 <= lo_x and hi_x <= zone * 1_000_000 + 920_000:
            return f"EPSG:{epsg}"
    return None


@lru_cache(maxsize=16)
def _transformer(source: str) -> Transformer:
    """Build (once) a transformer from a CRS to WGS84 in lon/lat order."""
    return Transformer.from_crs(source, WGS84, always_xy=True)


def to_wgs84(x: float, y: float, source: str) -> tuple[float, float]:
    """Reproject one point to (lon, lat)."""
    if source == WGS84:
        return x, y
    lon, lat = _transformer(source).transform(x, y)
    return float(lon), float(lat)


def geometry_to_wgs84(geometry: BaseGeometry, source: str) -> BaseGeometry:
    """Reproject a shapely geometry to WGS84."""
    if source == WGS84:
        return geometry
    transformer = _transformer(source)

    def project(coords):
        """Reproject an (n, 2) coordinate array."""
        lon, lat = transformer.transform(coords[:, 0], coords[:, 1])
        coords[:, 0], coords[:, 1] = lon, lat
        return coords

    return shapely.transform(geometry, project)


def in_bbox(lon: float, lat: float, bbox: tuple[float, float, float, float]) -> bool:
    """Tell whether a point lies in a (min_lon, min_lat, max_lon, max_lat) box."""
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]
