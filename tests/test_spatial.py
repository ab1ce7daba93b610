"""Portable spatial helpers: same rows on SpatiaLite and PostGIS, through the spatial index."""

from __future__ import annotations

import random

import pytest
from pyproj import Geod
from sqlalchemy import select, text

from kbm_map.extensions import db
from kbm_map.geo.spatial import in_bbox, nearest, region_at, within_radius
from kbm_map.models import Location, Region

GEOD = Geod(ellps="WGS84")
CENTER = (9.68, 50.55)


@pytest.fixture()
def places(app_ctx):
    """Store 400 Lernorte scattered around Fulda (a few without position) and return them."""
    rng = random.Random(7)
    points = {}
    for n in range(400):
        lon = round(CENTER[0] + rng.uniform(-0.4, 0.4), 6)
        lat = round(CENTER[1] + rng.uniform(-0.25, 0.25), 6)
        located = n % 50 != 0
        db.session.add(
            Location(
                id=n + 1,
                slug=f"ort-{n}",
                name=f"Ort {n}",
                geom=f"SRID=4326;POINT({lon} {lat})" if located else None,
            )
        )
        if located:
            points[n + 1] = (lon, lat)
    db.session.commit()
    return points


def metres(a, b) -> float:
    """Geodesic distance on the WGS84 ellipsoid, computed independently of the database."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def test_bbox_returns_exactly_the_points_inside(places):
    box = (9.55, 50.45, 9.75, 50.6)
    expected = {
        i for i, (lon, lat) in places.items() if box[0] <= lon <= box[2] and box[1] <= lat <= box[3]
    }
    found = set(db.session.scalars(select(Location.id).where(in_bbox(Location.geom, *box))))
    assert found == expected and len(expected) > 20


@pytest.mark.parametrize("radius", [500, 5_000, 12_345])
def test_within_radius_matches_geodesic_distance(places, radius):
    here = (9.70, 50.56)
    expected = {i for i, p in places.items() if metres(here, p) <= radius}
    stmt = select(Location.id).where(within_radius(Location.geom, *here, radius))
    assert set(db.session.scalars(stmt)) == expected


def test_nearest_orders_by_distance_in_metres(places):
    here = (9.6, 50.5)
    expected = sorted(places, key=lambda i: (metres(here, places[i]), i))[:7]
    found = nearest(db.session, Location, *here, limit=7)
    assert [loc.id for loc, _ in found] == expected
    assert found[0][1] == pytest.approx(metres(here, places[expected[0]]), abs=0.5)


def test_nearest_with_fewer_places_than_asked(places):
    found = nearest(db.session, Location, *CENTER, limit=1000)
    assert len(found) == len(places)


def test_rows_without_position_are_never_matched(places):
    everything = in_bbox(Location.geom, -180, -90, 180, 90)
    count = db.session.scalar(select(text("count(*)")).select_from(Location).where(everything))
    assert count == len(places) < 400


def test_region_at_finds_the_polygon_and_prefers_lowest_code_on_borders(app_ctx):
    db.session.add_all(
        [
            Region(
                code="06631001",
                name="West",
                geom="SRID=4326;MULTIPOLYGON(((9 50,9.5 50,9.5 51,9 51,9 50)))",
            ),
            Region(
                code="06631002",
                name="Ost",
                geom="SRID=4326;MULTIPOLYGON(((9.5 50,10 50,10 51,9.5 51,9.5 50)))",
            ),
        ]
    )
    db.session.commit()
    assert region_at(db.session, Region, 9.2, 50.5).name == "West"
    assert region_at(db.session, Region, 9.7, 50.5).name == "Ost"
    assert region_at(db.session, Region, 9.5, 50.5).name == "West"  # on the shared border
    assert region_at(db.session, Region, 11.0, 50.5) is None


def query_plan(stmt) -> str:
    """Return the database's query plan for a statement, as text."""
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(row[-1]) for row in rows)
        # With a handful of rows the planner rightly prefers a sequential scan; switching it off
        # shows whether the index is usable for this query shape at all.
        conn.exec_driver_sql("SET enable_seqscan = off")
        return "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}").all())


@pytest.mark.parametrize(
    "condition",
    [
        lambda: in_bbox(Location.geom, 9.5, 50.4, 9.8, 50.6),
        lambda: within_radius(Location.geom, 9.68, 50.55, 3_000),
    ],
    ids=["bbox", "radius"],
)
def test_query_plan_uses_the_spatial_index(places, condition):
    plan = query_plan(select(Location.id).where(condition()))
    if db.engine.dialect.name == "sqlite":
        assert "SpatialIndex" in plan and "VIRTUAL TABLE" in plan, plan
        # The rows come by rowid from the index's answer, not from a scan of the table.
        assert "SCAN locations" not in plan and "SEARCH locations" in plan, plan
    else:
        assert "idx_locations_geom" in plan, plan
