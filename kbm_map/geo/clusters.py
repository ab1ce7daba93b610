"""Grid clustering of points in SQL, the same cells on SpatiaLite and PostGIS.

A cell is a fixed rectangle of a global grid whose size depends only on the zoom level, so a
cell holds the same points (and shows the same count) however the view is panned. Points are
selected through the spatial index (`in_bbox`), then grouped by cell in the database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import Float, Integer, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from .spatial import in_bbox as in_box

TILE_PX = 256
ORIGIN = (-180.0, -90.0)  # west and south of every coordinate: cell numbers are never negative


class box_overlap(FunctionElement):  # noqa: N801
    """True where the geometry's bounding box meets the box, checked row by row."""

    name = "box_overlap"
    inherit_cache = True


@compiles(box_overlap, "postgresql")
def _overlap_pg(element, compiler, **kw):
    geom, west, south, east, north = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({geom} && ST_MakeEnvelope({west}, {south}, {east}, {north}, 4326))"


@compiles(box_overlap, "sqlite")
def _overlap_sqlite(element, compiler, **kw):
    geom, west, south, east, north = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(MbrIntersects({geom}, BuildMbr({west}, {south}, {east}, {north}, 4326)) = 1)"


def overlaps_box(column, west: float, south: float, east: float, north: float):
    """Filter for rows whose geometry meets the box, without the spatial index on SQLite."""
    return box_overlap(column, literal(west), literal(south), literal(east), literal(north))


class cell_number(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """The whole number of cells of size `size` between `origin` and `value` (value >= origin)."""

    type = Integer()
    name = "cell_number"
    inherit_cache = True


@compiles(cell_number, "postgresql")
def _cell_pg(element, compiler, **kw):
    value, origin, size = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(FLOOR(({value} - {origin}) / {size}) AS INTEGER)"


@compiles(cell_number, "sqlite")
def _cell_sqlite(element, compiler, **kw):
    # CAST truncates towards zero in SQLite, which is FLOOR for the non-negative offsets here.
    value, origin, size = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(({value} - {origin}) / {size} AS INTEGER)"


@dataclass(frozen=True)
class Grid:
    """Cell width and height in degrees."""

    width: float
    height: float

    def cells_of(self, bbox: Sequence[float]) -> tuple[int, int, int, int]:
        """Return the first and last column and row (inclusive) of the cells meeting a box."""
        west, south, east, north = bbox
        ox, oy = ORIGIN
        return (
            math.floor((west - ox) / self.width),
            math.floor((south - oy) / self.height),
            math.floor((east - ox) / self.width),
            math.floor((north - oy) / self.height),
        )

    def box_of(self, first_column: int, first_row: int, last_column: int, last_row: int):
        """Return the box (west, south, east, north) of a range of cells (inclusive)."""
        ox, oy = ORIGIN
        return (
            ox + first_column * self.width,
            oy + first_row * self.height,
            ox + (last_column + 1) * self.width,
            oy + (last_row + 1) * self.height,
        )

    def snap(self, bbox: Sequence[float]) -> tuple[float, float, float, float]:
        """Widen a box (west, south, east, north) to whole cells, so edge cells are complete."""
        west, south, east, north = bbox
        ox, oy = ORIGIN
        return (
            ox + math.floor((west - ox) / self.width) * self.width,
            oy + math.floor((south - oy) / self.height) * self.height,
            ox + (math.floor((east - ox) / self.width) + 1) * self.width,
            oy + (math.floor((north - oy) / self.height) + 1) * self.height,
        )


def grid_for_zoom(zoom: int, cell_px: int, latitude: float) -> Grid:
    """Return the grid whose cells are about `cell_px` screen pixels wide at a Web Mercator zoom."""
    width = 360.0 / (2**zoom) / TILE_PX * cell_px
    # Mercator stretches latitude by 1/cos(lat): a square on screen is shorter in degrees.
    return Grid(width, width * math.cos(math.radians(latitude)))


@dataclass(frozen=True)
class Cell:
    """The points of one grid cell: how many, their mean position and lowest id."""

    column: int
    row: int
    count: int
    lon: float
    lat: float
    first_id: int
    grid: Grid

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """Return the cell's rectangle (west, south, east, north)."""
        west = ORIGIN[0] + self.column * self.grid.width
        south = ORIGIN[1] + self.row * self.grid.height
        return (west, south, west + self.grid.width, south + self.grid.height)


def cluster_cells(
    session: Session,
    id_column,
    geom_column,
    grid: Grid,
    bbox: Sequence[float],
    where=(),
    use_index: bool = True,
    snap: bool = True,
) -> list[Cell]:
    """Group the points in the box (widened to whole cells) by grid cell, in cell order.

    Without `use_index` the box is checked row by row: when the box holds (nearly) every
    point, a plain scan beats thousands of index lookups on SQLite. Without `snap` the box
    is taken as it is, and cells on its edge may be incomplete.
    """
    frame = grid.snap(bbox) if snap else tuple(bbox)
    x, y = ST_X(geom_column), ST_Y(geom_column)
    column = cell_number(x, literal(ORIGIN[0], Float), literal(grid.width, Float))
    row = cell_number(y, literal(ORIGIN[1], Float), literal(grid.height, Float))
    inside = in_box(geom_column, *frame) if use_index else overlaps_box(geom_column, *frame)
    stmt = (
        select(
            column.label("col"),
            row.label("row"),
            func.count().label("n"),
            func.avg(x),
            func.avg(y),
            func.min(id_column),
        )
        .where(inside, *where)
        .group_by("col", "row")
        .order_by("col", "row")
    )
    return [
        Cell(
            column=int(r[0]),
            row=int(r[1]),
            count=int(r[2]),
            # Sums may be added up in another order on the other database: round off the noise.
            lon=round(float(r[3]), 6),
            lat=round(float(r[4]), 6),
            first_id=int(r[5]),
            grid=grid,
        )
        for r in session.execute(stmt)
    ]
