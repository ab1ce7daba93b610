"""Portable spatial query helpers that give the same rows on SpatiaLite and PostGIS.

Each operation is one compiled construct with a dialect-specific rendering, written so that
both databases use their spatial index: PostGIS through the GiST operator `&&`, SpatiaLite
through its `SpatialIndex` virtual table (SQLite never consults the R*Tree by itself).
Distances are metres on the WGS84 ellipsoid on both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import Float, and_, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.selectable import Alias

METRES_PER_DEGREE = 111_320.0
SRID = 4326


class within_bbox(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """True where the geometry's bounding box meets the box west, south, east, north.

    Deliberately untyped: a Boolean type makes SQLAlchemy write "(…) = 1" on SQLite, which
    hides the rowid lookup from the planner and turns it into a scan of the whole table.
    """

    name = "within_bbox"
    inherit_cache = True


class distance_m(FunctionElement):  # noqa: N801
    """Distance in metres (WGS84 ellipsoid) from the geometry to the point lon, lat."""

    type = Float()
    name = "distance_m"
    inherit_cache = True


class make_point(FunctionElement):  # noqa: N801
    """A WGS84 point from lon, lat."""

    name = "make_point"
    inherit_cache = True


def _args(element, compiler, **kw) -> list[str]:
    """Render the construct's arguments."""
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(make_point, "postgresql")
def _point_pg(element, compiler, **kw):
    lon, lat = _args(element, compiler, **kw)
    return f"ST_SetSRID(ST_MakePoint({lon}, {lat}), {SRID})"


@compiles(make_point, "sqlite")
def _point_sqlite(element, compiler, **kw):
    lon, lat = _args(element, compiler, **kw)
    return f"MakePoint({lon}, {lat}, {SRID})"


@compiles(within_bbox, "postgresql")
def _bbox_pg(element, compiler, **kw):
    geom, west, south, east, north = _args(element, compiler, **kw)
    return f"({geom} && ST_MakeEnvelope({west}, {south}, {east}, {north}, {SRID}))"


@compiles(within_bbox, "sqlite")
def _bbox_sqlite(element, compiler, **kw):
    column = list(element.clauses)[0]
    geom, west, south, east, north = _args(element, compiler, **kw)
    table = column.table
    real_name = table.element.name if isinstance(table, Alias) else table.name
    rowid = compiler.process(table.c.id, **kw)
    frame = f"BuildMbr({west}, {south}, {east}, {north}, {SRID})"
    # The R*Tree stores 32-bit floats, so its answer is a superset; MbrIntersects makes it exact.
    # Table and column names come from our own metadata, never from input.
    return (
        f"({rowid} IN (SELECT rowid FROM SpatialIndex WHERE f_table_name = '{real_name}' "  # noqa: S608
        f"AND f_geometry_column = '{column.name}' AND search_frame = {frame}) "
        f"AND MbrIntersects({geom}, {frame}) = 1)"
    )


@compiles(distance_m, "postgresql")
def _distance_pg(element, compiler, **kw):
    geom, lon, lat = _args(element, compiler, **kw)
    point = f"ST_SetSRID(ST_MakePoint({lon}, {lat}), {SRID})"
    return f"ST_Distance(CAST({geom} AS geography), CAST({point} AS geography))"


@compiles(distance_m, "sqlite")
def _distance_sqlite(element, compiler, **kw):
    geom, lon, lat = _args(element, compiler, **kw)
    return f"ST_Distance({geom}, MakePoint({lon}, {lat}, {SRID}), 1)"


def bbox_around(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """Return a box (west, south, east, north) containing the circle of `metres` around a point."""
    dlat = metres / METRES_PER_DEGREE
    dlon = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(abs(lat) + dlat)), 0.01))
    # 0.5 % margin: the ellipsoid's degrees are slightly longer or shorter than the sphere's.
    dlat, dlon = dlat * 1.005, dlon * 1.005
    return (lon - dlon, max(lat - dlat, -90.0), lon + dlon, min(lat + dlat, 90.0))


def in_bbox(column, west: float, south: float, east: float, north: float):
    """Filter for rows whose geometry meets the box (uses the spatial index)."""
    return within_bbox(column, literal(west), literal(south), literal(east), literal(north))


def within_radius(column, lon: float, lat: float, metres: float):
    """Filter for rows whose geometry lies within `metres` of a point (uses the spatial index)."""
    return and_(
        in_bbox(column, *bbox_around(lon, lat, metres)),
        distance_m(column, literal(lon), literal(lat)) <= metres,
    )


def contains_point(column, lon: float, lat: float):
    """Filter for polygons that contain the point, boundary included (uses the spatial index)."""
    from geoalchemy2.functions import ST_Intersects

    return and_(
        in_bbox(column, lon, lat, lon, lat),
        ST_Intersects(column, make_point(literal(lon), literal(lat))),
    )


def nearest(
    session: Session,
    model,
    lon: float,
    lat: float,
    limit: int,
    where: Sequence = (),
    start_metres: float = 2_000.0,
    max_metres: float = 500_000.0,
) -> list[tuple[object, float]]:
    """Return up to `limit` (entity, metres) pairs nearest to the point, nearest first.

    Searches growing circles through the spatial index instead of a K-nearest-neighbour
    operator, which SpatiaLite 5.0 lacks; ties are broken by id so both databases agree.
    """
    metres = start_metres
    while True:
        distance = distance_m(model.geom, literal(lon), literal(lat)).label("distance")
        stmt = (
            select(model, distance)
            .where(within_radius(model.geom, lon, lat, metres), *where)
            .order_by(distance, model.id)
            .limit(limit)
        )
        rows = session.execute(stmt).all()
        if len(rows) >= limit or metres >= max_metres:
            return [(row[0], float(row[1])) for row in rows]
        metres *= 4


def region_at(session: Session, region_model, lon: float, lat: float):
    """Return the region containing the point (the lowest code if on a shared border), or None."""
    stmt = (
        select(region_model)
        .where(contains_point(region_model.geom, lon, lat))
        .order_by(region_model.code)
        .limit(1)
    )
    return session.scalars(stmt).first()
