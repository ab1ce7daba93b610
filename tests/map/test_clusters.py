"""Grid clustering in SQL: the same cells as a plain Python computation, on both databases."""

from __future__ import annotations

import math
from collections import defaultdict

import pytest

from kbm_map.extensions import db
from kbm_map.geo.clusters import ORIGIN, cluster_cells, grid_for_zoom
from kbm_map.models import Location


def python_cells(points: dict[int, tuple[float, float]], grid, bbox):
    """Group points by cell the slow, obvious way (the reference for both databases)."""
    west, south, east, north = grid.snap(bbox)
    cells = defaultdict(list)
    for number, (lon, lat) in points.items():
        if west <= lon <= east and south <= lat <= north:
            column = math.floor((lon - ORIGIN[0]) / grid.width)
            row = math.floor((lat - ORIGIN[1]) / grid.height)
            cells[column, row].append((number, lon, lat))
    return {
        key: (
            len(members),
            round(sum(m[1] for m in members) / len(members), 6),
            round(sum(m[2] for m in members) / len(members), 6),
            min(m[0] for m in members),
        )
        for key, members in cells.items()
    }


@pytest.mark.parametrize("zoom", [5, 8, 10, 12, 15])
def test_sql_cells_match_the_python_reference(places, zoom):
    points = places.scatter(500, spread=0.5, seed=zoom)
    grid = grid_for_zoom(zoom, 80, 50.55)
    bbox = (9.3, 50.3, 10.0, 50.8)
    cells = cluster_cells(db.session, Location.id, Location.geom, grid, bbox)
    found = {(c.column, c.row): (c.count, c.lon, c.lat, c.first_id) for c in cells}
    expected = python_cells(points, grid, bbox)
    assert found.keys() == expected.keys()
    for key, (count, lon, lat, first) in expected.items():
        assert found[key][0] == count and found[key][3] == first
        assert found[key][1] == pytest.approx(lon, abs=2e-6)
        assert found[key][2] == pytest.approx(lat, abs=2e-6)


def test_snapped_box_covers_whole_cells():
    grid = grid_for_zoom(10, 80, 50.55)
    west, south, east, north = grid.snap((9.61, 50.51, 9.77, 50.63))
    assert west <= 9.61 and east >= 9.77 and south <= 50.51 and north >= 50.63
    for value, origin, size in ((west, ORIGIN[0], grid.width), (south, ORIGIN[1], grid.height)):
        steps = (value - origin) / size
        assert steps == pytest.approx(round(steps))


def test_cells_are_square_on_screen_at_the_region_latitude():
    grid = grid_for_zoom(12, 80, 50.55)
    assert grid.width == pytest.approx(360 / 2**12 / 256 * 80)
    assert grid.height / grid.width == pytest.approx(math.cos(math.radians(50.55)))


@pytest.mark.parametrize("zoom", [7, 9, 11, 13])
def test_cells_cut_from_remembered_blocks_match_a_direct_query(places, zoom):
    from kbm_map.mapview.cells import view_cells

    places.scatter(400, spread=0.5, seed=zoom)
    grid = grid_for_zoom(zoom, 80, 50.55)

    def features(cells):
        return [(c.column, c.row, c.count, c.lon, c.lat) for c in cells]

    key = ("test-cells", zoom)
    for bbox in [(9.3, 50.3, 9.8, 50.6), (9.45, 50.35, 9.95, 50.65), (9.6, 50.5, 9.7, 50.56)]:
        cut, total = view_cells(grid, bbox, key, [], lambda box: False, features)
        direct = features(cluster_cells(db.session, Location.id, Location.geom, grid, bbox))
        assert [c[:3] for c in sorted(cut)] == [c[:3] for c in sorted(direct)]
        for a, b in zip(sorted(cut), sorted(direct), strict=True):
            assert a[3:] == pytest.approx(b[3:], abs=2e-6)
        assert total == sum(c[2] for c in direct)
