"""An independent reading of OSM XML for the reachability tests: iterparse and networkx."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from pyproj import Geod

GEOD = Geod(ellps="WGS84")


@dataclass
class OsmXml:
    """Nodes {id: (lon, lat)} and ways [(id, [node ids], {tags})] of an OSM XML file."""

    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)
    ways: list[tuple[int, list[int], dict[str, str]]] = field(default_factory=list)


def read_osm_xml(path: Path) -> OsmXml:
    """Read every node and every highway way of a (gzipped) OSM XML file."""
    data = OsmXml()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        for _, element in ET.iterparse(stream, events=("end",)):
            if element.tag == "node":
                data.nodes[int(element.get("id"))] = (
                    float(element.get("lon")),
                    float(element.get("lat")),
                )
                element.clear()
            elif element.tag == "way":
                tags = {t.get("k"): t.get("v") for t in element.findall("tag")}
                if "highway" in tags:
                    refs = [int(nd.get("ref")) for nd in element.findall("nd")]
                    data.ways.append((int(element.get("id")), refs, tags))
                element.clear()
    return data


def write_part(data: OsmXml, bbox: tuple[float, float, float, float], path: Path) -> OsmXml:
    """Write the ways lying wholly inside a box, with their nodes, as OSM XML; return them."""
    west, south, east, north = bbox
    part = OsmXml()
    for way_id, refs, tags in data.ways:
        points = [data.nodes.get(ref) for ref in refs]
        if all(p and west <= p[0] <= east and south <= p[1] <= north for p in points):
            part.ways.append((way_id, refs, tags))
            part.nodes.update(zip(refs, points, strict=True))
    write_osm(part, path)
    return part


def write_osm(data: OsmXml, path: Path) -> None:
    """Write nodes and ways as an OSM XML file."""
    root = ET.Element("osm", version="0.6", generator="kbm-map tests")
    for node_id, (lon, lat) in sorted(data.nodes.items()):
        ET.SubElement(root, "node", id=str(node_id), lon=repr(lon), lat=repr(lat), version="1")
    for way_id, refs, tags in data.ways:
        way = ET.SubElement(root, "way", id=str(way_id), version="1")
        for ref in refs:
            ET.SubElement(way, "nd", ref=str(ref))
        for key, value in tags.items():
            ET.SubElement(way, "tag", k=key, v=value)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def street(data: OsmXml, way_id: int, points: list[tuple[float, float]], **tags) -> list[int]:
    """Add a way through (lon, lat) points, reusing nodes at equal positions; return its refs."""
    known = {position: node_id for node_id, position in data.nodes.items()}
    refs = []
    for point in points:
        if point not in known:
            known[point] = len(data.nodes) + 1
            data.nodes[known[point]] = point
        refs.append(known[point])
    data.ways.append((way_id, refs, tags))
    return refs


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the ellipsoidal distance between two (lon, lat) positions."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def digraph(data: OsmXml, speeds) -> nx.DiGraph:
    """Build a directed graph weighted in seconds; speeds(tags) gives (forward, backward) km/h."""
    graph = nx.DiGraph()
    for _, refs, tags in data.ways:
        found = speeds(tags)
        if found is None:
            continue
        for a, b in zip(refs, refs[1:], strict=False):
            if a == b:
                continue
            length = metres(data.nodes[a], data.nodes[b])
            for tail, head, kmh in ((a, b, found[0]), (b, a, found[1])):
                if kmh > 0:
                    seconds = length / (kmh / 3.6)
                    old = graph.get_edge_data(tail, head)
                    if old is None or old["weight"] > seconds:
                        graph.add_edge(tail, head, weight=seconds)
    return graph
