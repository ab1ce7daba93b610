"""Population points, snapping and figures on a made-up village network."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from kbm_map.monitoring.network import TO_METRIC, read_network
from kbm_map.monitoring.population_points import (
    Gemeinde,
    PopulationError,
    grid_points,
    read_grid,
    street_points,
)
from kbm_map.monitoring.reach import (
    ACCESS_MPS,
    PopulationPoints,
    figures,
    figures_by_region,
    layer_cells,
    minute_class,
    snap,
    travel_minutes,
)

from .osm_reference import OsmXml, metres, street, write_osm

MAIN_STREET = [(round(9.600 + i * 0.001, 3), 50.0) for i in range(21)]
SIDE_STREET = [(9.610, round(50.0 + i * 0.001, 3)) for i in range(6)]
ROAD = [(round(9.620 + i * 0.001, 3), 50.0) for i in range(21)]


@pytest.fixture(scope="module")
def village(tmp_path_factory):
    """Write a village (two residential streets) and a road to the next one; read it on foot."""
    data = OsmXml()
    street(data, 1, MAIN_STREET, highway="residential", name="Hauptstraße")
    street(data, 2, SIDE_STREET, highway="residential")
    street(data, 3, ROAD, highway="tertiary")
    path = tmp_path_factory.mktemp("osm") / "dorf.osm"
    write_osm(data, path)
    return read_network(path, "walk")


@pytest.fixture()
def gemeinden():
    """Return three Gemeinden: the village, one along the road, one without streets."""
    return [
        Gemeinde(1, "06631001", "Dorf", 1000, box(9.595, 49.99, 9.6205, 50.01)),
        Gemeinde(2, "06631002", "Straßendorf", 500, box(9.6205, 49.99, 9.645, 50.01)),
        Gemeinde(3, "06631003", "Wald", 200, box(9.645, 49.99, 9.67, 50.01)),
    ]


def node_at(network, lon, lat) -> int:
    """Return the graph node at a position."""
    return int(np.flatnonzero((network.lon == lon) & (network.lat == lat))[0])


def test_population_is_spread_over_residential_streets_by_length(village, gemeinden):
    points = street_points(village, gemeinden)
    assert points.approximated and points.source == "streets"
    totals = [points.population[points.region == i].sum() for i in range(3)]
    assert totals == pytest.approx([1000, 500, 200])
    share = dict(zip(points.node, points.population, strict=True))
    end, inner = node_at(village, 9.600, 50.0), node_at(village, 9.605, 50.0)
    assert share[end] == pytest.approx(share[inner] / 2, rel=0.01)  # half a segment each
    assert village.residential[node_at(village, 9.630, 50.0)] == 0  # the road is no home


def test_gemeinden_without_homes_or_streets_are_said_so(village, gemeinden):
    points = street_points(village, gemeinden)
    assert points.notes == [
        "Straßendorf: no residential streets, spread over all streets",
        "Wald: no street of the network inside, not covered",
    ]
    forest = points.region == 2
    assert (points.node[forest] == -1).all() and points.population[forest].sum() == 200


def test_points_snap_to_the_nearest_node_or_count_as_not_covered(village):
    x, y = TO_METRIC.transform([9.6051, 9.605], [50.0001, 50.05])
    nodes, distances = snap(village, np.asarray(x), np.asarray(y))
    assert nodes[0] == node_at(village, 9.605, 50.0)
    assert distances[0] == pytest.approx(metres((9.6051, 50.0001), (9.605, 50.0)), rel=0.01)
    assert nodes[1] == -1 and np.isnan(distances[1])  # 5.5 km from the street


def test_minutes_add_the_walk_to_the_street_and_from_it(village, gemeinden):
    points = street_points(village, gemeinden)
    minutes, on_network = travel_minutes(village, points, [9.600], [50.0003], 30)
    assert on_network == 1
    at_corner = minutes[points.node == node_at(village, 9.610, 50.0)][0]
    walk = sum(metres(a, b) for a, b in zip(MAIN_STREET[:10], MAIN_STREET[1:11], strict=True))
    egress = metres((9.600, 50.0003), (9.600, 50.0))
    assert at_corner == pytest.approx((walk + egress) / ACCESS_MPS / 60, rel=0.005)
    far = minutes[points.node == node_at(village, 9.640, 50.0)][0]
    assert far == np.inf  # 2.9 km on foot: beyond 30 minutes
    assert np.isnan(minutes[points.region == 2]).all()  # not covered


def test_figures_give_shares_median_and_gaps():
    population = np.array([100.0, 200.0, 300.0, 400.0, 50.0])
    minutes = np.array([3.0, 8.0, 14.0, np.inf, np.nan])
    result = figures(population, minutes)
    assert result.population == 1050
    assert result.within == {5: 100, 10: 300, 15: 600, 30: 600}
    assert result.share(15) == pytest.approx(600 / 1050)
    assert result.not_reachable == 400 and result.not_covered == 50
    assert result.median_minutes == 14.0  # of the 1,000 on the network
    assert figures(np.array([1.0, 2.0]), np.array([40.0, np.inf])).median_minutes is None


def test_figures_per_gemeinde_and_for_the_whole_area():
    points = PopulationPoints(
        x=np.zeros(4),
        y=np.zeros(4),
        population=np.array([100.0, 100.0, 300.0, 50.0]),
        region=np.array([0, 0, 1, -1]),
        node=np.zeros(4, dtype=np.int64),
        access_s=np.zeros(4),
        approximated=False,
        source="test",
    )
    per_region, total = figures_by_region(points, np.array([4.0, 12.0, 20.0, 1.0]), 2)
    assert [r.share(10) for r in per_region] == [0.5, 0.0]
    assert [r.share(30) for r in per_region] == [1.0, 1.0]
    assert total.population == 500  # the point outside every Gemeinde does not count
    assert total.within[5] == 100


def test_legend_classes_close_at_the_upper_bound():
    assert [minute_class(m) for m in (0, 5, 5.01, 10, 15, 29.9, 30, 30.5, None)] == [
        0,
        0,
        1,
        1,
        2,
        3,
        3,
        4,
        4,
    ]


def grid_file(
    tmp_path, rows: list[str], header: str = "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner"
):
    """Write a grid CSV and return its path."""
    path = tmp_path / "zensus.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def cell(lon: float, lat: float) -> tuple[int, int]:
    """Return the EPSG:3035 centre of the 100 m cell around a position."""
    x, y = TO_METRIC.transform(lon, lat)
    return int(x // 100 * 100 + 50), int(y // 100 * 100 + 50)


def test_a_zensus_grid_csv_gives_the_population_points(tmp_path, village, gemeinden):
    (x1, y1), (x2, y2), (x3, y3) = cell(9.605, 50.0), cell(9.63, 50.0), cell(9.65, 50.0)
    path = grid_file(
        tmp_path,
        [
            f"CRS3035RES100mN{y1 - 50}E{x1 - 50};{x1};{y1};120",
            f"CRS3035RES100mN{y2 - 50}E{x2 - 50};{x2};{y2};-1",  # kept secret
            f"CRS3035RES100mN{y2 - 50}E{x2 - 150};{x2 - 100};{y2};30",
            f"CRS3035RES100mN{y3 - 50}E{x3 - 50};{x3};{y3};7",  # 700 m from the road
            f"CRS3035RES100mN{y1 + 2950}E{x1 - 50};{x1};{y1 + 3000};9",  # far north: no Gemeinde
        ],
    )
    points = grid_points(path, village, gemeinden)
    assert not points.approximated and points.source == "zensus.csv"
    assert [points.population[points.region == i].sum() for i in range(3)] == [120, 30, 7]
    assert points.notes == ["9 inhabitants of the grid lie in no Gemeinde, left out"]
    assert (points.node[points.region >= 0] >= 0).all()  # all within 1 km of a street
    assert points.access_s[points.region == 2][0] > 400  # the walk from the far cell


def test_a_1_km_grid_with_commas_reads_alike(tmp_path):
    path = grid_file(
        tmp_path,
        ["CRS3035RES1000mN2820000E4316000,4316500,2820500,1234", "x,4317500,2820500,"],
        header="Gitter_ID_1km,x_mp_1km,y_mp_1km,Einwohner",
    )
    x, y, population = read_grid(path)
    assert list(x) == [4316500] and list(y) == [2820500] and list(population) == [1234]


def test_a_broken_grid_row_is_named(tmp_path):
    path = grid_file(tmp_path, ["a;4316450;2820250;3", "b;4316550;;4"])
    with pytest.raises(PopulationError, match=r"^grid file zensus.csv, row 3, column y_mp_100m"):
        read_grid(path)
    path = grid_file(tmp_path, ["a;4316450;2820250;drei"])
    with pytest.raises(PopulationError, match="row 2, column einwohner: 'drei' is not a number"):
        read_grid(path)
    path = grid_file(tmp_path, ["a;4316450;2820250;1", "b;4316550;2820250"])
    with pytest.raises(PopulationError, match="row 3: 3 fields, the header has 4"):
        read_grid(path)
    path = grid_file(tmp_path, ["a;nan;2820250;1"])
    with pytest.raises(PopulationError, match="column x_mp_100m: 'nan' is not a coordinate"):
        read_grid(path)
    path = grid_file(tmp_path, ["a;4316450;2820250"], header="id;x_mp_100m;y_mp_100m")
    with pytest.raises(PopulationError, match="no column einwohner"):
        read_grid(path)


def test_map_cells_hold_the_population_weighted_median(village, gemeinden):
    points = street_points(village, gemeinden)
    minutes, _ = travel_minutes(village, points, [9.600], [50.0], 30)
    cells = layer_cells(points, minutes)
    assert sum(c[2] for c in cells) == pytest.approx(1500, abs=1)  # the forest is not covered
    first = min(cells, key=lambda c: c[3] if c[3] is not None else 99)
    assert first[3] < 5 and first[4] == 0
    assert any(c[3] is None and c[4] == 4 for c in cells)  # the far end of the road
