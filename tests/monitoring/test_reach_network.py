"""Street networks from OSM files: mode rules, graph, and times against networkx."""

from __future__ import annotations

import bz2
import random

import networkx as nx
import numpy as np
import pytest

from kbm_map.monitoring.modes import WALK_KMH, way_speeds
from kbm_map.monitoring.network import NetworkError, read_network
from kbm_map.monitoring.reach import seconds_to_nearest

from .osm_reference import digraph, read_osm_xml, write_part

BINDLACH = (11.555, 50.015, 11.585, 50.04)  # a small part of the Bayreuth file


@pytest.fixture(scope="module")
def bayreuth(shared_data):
    """Return the path of the real Bayreuth street network."""
    return shared_data / "osm" / "north-bayreuth.osm.gz"


@pytest.fixture(scope="module")
def reference(bayreuth):
    """Return the Bayreuth file read independently with iterparse."""
    return read_osm_xml(bayreuth)


@pytest.fixture(scope="module")
def part(reference, tmp_path_factory):
    """Write the ways inside the Bindlach box to a file of their own; return (path, data)."""
    path = tmp_path_factory.mktemp("osm") / "bindlach.osm"
    return path, write_part(reference, BINDLACH, path)


def index_of(network) -> dict[int, int]:
    """Return {OSM node id: graph node} of a network."""
    return {int(osm_id): i for i, osm_id in enumerate(network.osm_ids)}


def test_motorways_are_not_walkable_or_bikeable_but_drivable():
    motorway = {"highway": "motorway"}
    assert way_speeds(motorway, "walk") is None and way_speeds(motorway, "bike") is None
    assert way_speeds(motorway, "car") == (120, 0.0)  # implied oneway
    assert way_speeds({"highway": "trunk", "motorroad": "yes"}, "bike") is None


def test_footways_are_walked_and_bikes_pushed_there_but_cars_stay_off():
    footway = {"highway": "footway"}
    assert way_speeds(footway, "car") is None
    assert way_speeds(footway, "walk") == (WALK_KMH, WALK_KMH)
    assert way_speeds(footway, "bike") == (WALK_KMH, WALK_KMH)
    assert way_speeds({**footway, "bicycle": "designated"}, "bike") == (15.0, 15.0)
    assert way_speeds({"highway": "steps"}, "car") is None


def test_oneway_binds_cars_and_bikes_not_pedestrians():
    street = {"highway": "residential", "oneway": "yes"}
    assert way_speeds(street, "car") == (30, 0.0)
    assert way_speeds(street, "bike") == (15.0, 0.0)
    assert way_speeds(street, "walk") == (WALK_KMH, WALK_KMH)
    assert way_speeds({**street, "oneway:bicycle": "no"}, "bike") == (15.0, 15.0)
    assert way_speeds({**street, "oneway": "-1"}, "car") == (0.0, 30)
    assert way_speeds({"highway": "tertiary", "junction": "roundabout"}, "car") == (50, 0.0)


def test_access_tags_close_ways_per_mode():
    private = {"highway": "service", "access": "private"}
    assert all(way_speeds(private, mode) is None for mode in ("walk", "bike", "car"))
    assert way_speeds({**private, "foot": "yes"}, "walk") == (WALK_KMH, WALK_KMH)
    assert way_speeds({"highway": "track", "motor_vehicle": "agricultural"}, "walk")
    assert way_speeds({"highway": "primary", "bicycle": "no"}, "bike") is None


def test_car_speed_honours_a_plausible_maxspeed():
    assert way_speeds({"highway": "primary", "maxspeed": "100"}, "car") == (100, 100)
    assert way_speeds({"highway": "primary", "maxspeed": "DE:urban"}, "car") == (50, 50)
    assert way_speeds({"highway": "primary", "maxspeed": "signals"}, "car") == (70, 70)
    assert way_speeds({"highway": "motorway", "maxspeed": "none"}, "car")[0] == 120
    assert way_speeds({"highway": "secondary", "maxspeed": "3000"}, "car")[0] == 60


def test_the_walk_network_has_no_motorway_node(bayreuth, reference):
    network = read_network(bayreuth, "walk")
    on_motorway = {r for _, refs, t in reference.ways if t["highway"] == "motorway" for r in refs}
    elsewhere = {r for _, refs, t in reference.ways if t["highway"] != "motorway" for r in refs}
    only_motorway = on_motorway - elsewhere
    assert len(only_motorway) > 100
    assert not only_motorway & set(index_of(network))
    car = read_network(bayreuth, "car")
    assert len(only_motorway & set(index_of(car))) > 100


def test_cars_follow_oneway_streets_pedestrians_do_not(bayreuth, reference):
    car, walk = read_network(bayreuth, "car"), read_network(bayreuth, "walk")
    car_index, walk_index = index_of(car), index_of(walk)
    checked = 0
    for _, refs, tags in reference.ways:
        if tags.get("oneway") != "yes" or tags["highway"] in ("motorway", "motorway_link"):
            continue
        a, b = refs[0], refs[1]
        if a in car_index and b in car_index and a in walk_index and b in walk_index:
            assert car.graph[car_index[a], car_index[b]] > 0
            assert car.graph[car_index[b], car_index[a]] == 0
            assert walk.graph[walk_index[b], walk_index[a]] > 0
            checked += 1
    assert checked >= 5


def test_walking_times_match_networkx_on_a_small_part(part):
    path, data = part
    network = read_network(path, "walk")
    walkable = digraph(data, lambda tags: way_speeds(tags, "walk"))
    _compare_with_networkx(network, walkable, seed=1)


def test_driving_times_match_networkx_with_oneways_and_motorways(bayreuth, reference):
    network = read_network(bayreuth, "car")
    drivable = digraph(reference, lambda tags: way_speeds(tags, "car"))
    _compare_with_networkx(network, drivable, seed=2)


def _compare_with_networkx(network, graph: nx.DiGraph, seed: int) -> None:
    """Check the one-pass times to the nearest of three targets against networkx."""
    assert network.node_count > 200
    rng = random.Random(seed)
    ids = [int(i) for i in network.osm_ids]
    targets = rng.sample(ids, 3)
    index = index_of(network)
    nodes = np.array([index[t] for t in targets])
    ours = seconds_to_nearest(network, nodes, np.zeros(3), limit_s=np.inf)
    theirs = nx.multi_source_dijkstra_path_length(graph.reverse(copy=False), set(targets))
    reached = 0
    for source in rng.sample(ids, 40):
        if source not in theirs:  # in another of the main components
            assert ours[index[source]] == np.inf
            continue
        assert ours[index[source]] == pytest.approx(theirs[source], rel=0.005, abs=0.05), source
        reached += 1
    assert reached >= 30


def test_compressed_and_pbf_files_read_alike(part, tmp_path):
    import osmium

    path, _ = part
    packed = tmp_path / "bindlach.osm.bz2"
    packed.write_bytes(bz2.compress(path.read_bytes()))
    pbf = tmp_path / "bindlach.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for item in osmium.FileProcessor(str(path)):
            writer.add(item)
    counts = {read_network(p, "bike").edge_count for p in (path, packed, pbf)}
    assert len(counts) == 1


def test_a_file_that_is_not_osm_gets_one_line(tmp_path):
    bad = tmp_path / "schulen.osm"
    bad.write_text("name;lon;lat\nSchule;9.6;50.5\n")
    with pytest.raises(NetworkError, match=r"^network file schulen.osm: not a readable OSM"):
        read_network(bad, "walk")
    csv = tmp_path / "schulen.csv"
    csv.write_text("x")
    with pytest.raises(NetworkError, match="schulen.csv: not an OSM extract"):
        read_network(csv, "walk")
    with pytest.raises(NetworkError, match="not found"):
        read_network(tmp_path / "missing.osm.pbf", "walk")


def test_a_network_without_usable_ways_is_refused(tmp_path):
    empty = tmp_path / "leer.osm"
    empty.write_text(
        '<?xml version="1.0"?><osm version="0.6">'
        '<node id="1" lon="9.6" lat="50.5" version="1"/><node id="2" lon="9.61" lat="50.5" '
        'version="1"/><way id="3" version="1"><nd ref="1"/><nd ref="2"/>'
        '<tag k="highway" v="footway"/></way></osm>'
    )
    with pytest.raises(NetworkError, match="leer.osm: no ways usable by car"):
        read_network(empty, "car")
    assert read_network(empty, "walk").node_count == 2


def test_an_unknown_mode_is_refused(bayreuth):
    with pytest.raises(NetworkError, match="unknown mode 'boat'; choose one of walk, bike, car"):
        read_network(bayreuth, "boat")
