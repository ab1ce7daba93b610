"""The demo region's made-up street network: deterministic, sized, routable, near its Lernorte."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from kbm_map.demo.generator import generate
from kbm_map.demo.network import DRIVEWAY_M, write_demo_network
from kbm_map.monitoring.network import read_network
from kbm_map.monitoring.population_points import Gemeinde, street_points
from kbm_map.monitoring.reach import snap, to_metric


@pytest.fixture(scope="module")
def region():
    """Return a generated demo region of 150 Lernorte."""
    return generate(locations=150, offers=10, seed=3)


@pytest.fixture(scope="module")
def demo_network(region, tmp_path_factory):
    """Write the region's network of about 8,000 nodes with driveways to its Lernorte."""
    path = tmp_path_factory.mktemp("demo") / "lindenau.osm.gz"
    places = [loc["position"] for loc in region.locations]
    counts = write_demo_network(path, region.towns, seed=3, size=8_000, places=places)
    return path, counts


def test_the_same_seed_writes_the_same_file(region, demo_network, tmp_path):
    path, _ = demo_network
    places = [loc["position"] for loc in region.locations]
    again, other = tmp_path / "again.osm", tmp_path / "other.osm"
    write_demo_network(again, region.towns, seed=3, size=8_000, places=places)
    write_demo_network(other, region.towns, seed=4, size=8_000, places=places)

    assert gzip.decompress(path.read_bytes()) == again.read_bytes() != other.read_bytes()


def test_the_size_is_roughly_the_nodes_asked_for(region, tmp_path):
    for size in (3_000, 30_000):
        counts = write_demo_network(tmp_path / "n.osm", region.towns, seed=1, size=size)
        assert 0.7 * size < counts["nodes"] < 1.4 * size, counts


def test_every_mode_can_route_on_it_and_motorways_are_for_cars(demo_network):
    path, counts = demo_network
    networks = {mode: read_network(path, mode) for mode in ("walk", "bike", "car")}
    assert networks["car"].node_count == counts["nodes"]  # one connected network
    assert networks["car"].dropped_nodes == 0 and networks["walk"].dropped_nodes == 0
    assert networks["walk"].node_count < networks["car"].node_count  # no motorway on foot


def test_lernorte_lie_next_to_a_street(region, demo_network):
    path, counts = demo_network
    network = read_network(path, "car")
    located = [loc["position"] for loc in region.locations if loc["position"]]
    x, y = to_metric(*np.asarray(located).T)
    nodes, metres = snap(network, x, y)
    assert (nodes >= 0).all() and metres.max() <= DRIVEWAY_M + 1
    assert 0 < counts["driveways"] < len(located)


def test_every_gemeinde_has_residential_streets(region, demo_network):
    network = read_network(demo_network[0], "walk")
    gemeinden = [
        Gemeinde(None, t["code"], t["name"], t["population"], t["polygon"]) for t in region.towns
    ]
    points = street_points(network, gemeinden)
    assert points.notes == []
    assert points.population.sum() == pytest.approx(sum(t["population"] for t in region.towns))
