"""Write a made-up street network for the demo region as an OSM file (deterministic by seed).

Every Gemeinde gets a settlement: a grid of residential streets (100 m blocks) around its
centre, sized by population, with a Hauptstraße through it. A lattice of country roads
over the whole region joins the settlements (every fourth one a faster Kreisstraße), and a
motorway crosses it with two junctions, so that the modes differ as they do in reality.
All positions lie on one lattice of 50 m steps, so crossing streets share their nodes.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely.geometry import MultiPolygon
from shapely.ops import unary_union

from .vocabulary import STREETS

STEP_M = 50  # lattice step; settlement streets run every 2 steps (100 m blocks)
RURAL_NODE_STEPS = 5  # a country road has a node every 250 m
SETTLEMENT_SHARE = 0.6  # of the nodes asked for; the rest are country roads
DRIVEWAY_M = 30  # a place farther than this from a street gets a driveway to it
TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
TO_WGS84 = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)
ATTRIBUTION = "made-up demo data, no real streets"


class _Ways:
    """Ways as tag dicts and lattice points; node ids are handed out per lattice point."""

    def __init__(self):
        self.ids: dict[tuple[int, int], int] = {}
        self.ways: list[tuple[dict[str, str], list[int]]] = []

    def add(self, points: Iterable[tuple[int, int]], **tags: str) -> None:
        """Add a way through lattice points (a repeated point is skipped)."""
        refs = []
        for point in points:
            node = self.ids.setdefault(point, len(self.ids) + 1)
            if not refs or refs[-1] != node:
                refs.append(node)
        if len(refs) >= 2:
            self.ways.append((tags, refs))


def write_demo_network(
    path: str | Path,
    towns: list[dict],
    seed: int = 1,
    size: int = 20_000,
    places: Iterable[tuple[float, float]] = (),
) -> dict:
    """Write streets for the demo's towns (generator.make_towns) to an .osm or .osm.gz file.

    `size` is the number of nodes aimed at (roughly); `places` are (lon, lat) positions,
    e.g. the demo's Lernorte, that get a driveway when no street passes near. Return counts.
    """
    rng = random.Random(seed)
    area = unary_union([t["polygon"] for t in towns])
    west, south, east, north = _lattice_box(area)
    ways = _Ways()
    centres = [_lattice_point(t["polygon"].centroid) for t in towns]
    total = sum(t["population"] for t in towns)
    spans = []
    for town, centre in zip(towns, centres, strict=True):
        nodes = SETTLEMENT_SHARE * size * town["population"] / total
        half = max(2, int((nodes / 3) ** 0.5) // 2 * 2)  # even: on the street lattice
        spans.append((centre, half))
        _settlement(ways, rng, centre, half)
    spacing = _rural_spacing((east - west) * (north - south), size * (1 - SETTLEMENT_SHARE))
    feeders = _feeders(ways, (west, east), spacing, spans)
    _country_roads(ways, (west, south, east, north), spacing, spans, feeders)
    driveways = _driveways(ways, places)  # before the motorway: no driveway onto it
    _motorway(ways, (west, south, east, north), spacing)
    _write(Path(path), ways)
    return {"nodes": len(ways.ids), "ways": len(ways.ways), "driveways": driveways}


def _lattice_point(point) -> tuple[int, int]:
    """Return the even lattice point nearest a WGS84 shapely point."""
    x, y = TO_METRIC.transform(point.x, point.y)
    return int(round(x / STEP_M / 2)) * 2, int(round(y / STEP_M / 2)) * 2


def _lattice_box(area: MultiPolygon) -> tuple[int, int, int, int]:
    """Return the region's bounding box in lattice steps."""
    xs, ys = TO_METRIC.transform(*np.asarray(area.envelope.exterior.coords).T)
    return (
        int(min(xs) // STEP_M),
        int(min(ys) // STEP_M),
        int(max(xs) // STEP_M) + 1,
        int(max(ys) // STEP_M) + 1,
    )


def _rural_spacing(area_steps: int, nodes: float) -> int:
    """Return the distance between country roads (in steps, a multiple of 2) for a budget."""
    # Roads both ways every s steps with a node every RURAL_NODE_STEPS: 2·A/(s·n) nodes.
    spacing = 2 * area_steps / max(nodes, 1) / RURAL_NODE_STEPS
    return max(4, int(spacing) // 2 * 2)


def _settlement(ways: _Ways, rng: random.Random, centre: tuple[int, int], half: int) -> None:
    """Add a grid of streets around a centre: residential, some living streets and oneways."""
    cx, cy = centre
    for offset in range(-half, half + 1, 2):
        for vertical in (False, True):
            line = [
                (cx + offset, cy + k) if vertical else (cx + k, cy + offset)
                for k in range(-half, half + 1)
            ]
            tags = {"highway": "residential", "name": rng.choice(STREETS)}
            if offset == 0:
                tags = {"highway": "tertiary", "name": "Hauptstraße", "maxspeed": "50"}
            elif rng.random() < 0.08:
                tags["highway"] = "living_street"
            elif rng.random() < 0.1:
                tags["oneway"] = "yes"
                line = line[::-1] if rng.random() < 0.5 else line
            ways.add(line, **tags)


def _feeders(ways: _Ways, columns: tuple[int, int], spacing: int, spans) -> set[tuple]:
    """Extend each Hauptstraße east and west to the next country road; return where it meets."""
    meets = set()
    for (cx, cy), half in spans:
        east = -(-(cx + half) // spacing) * spacing
        west = (cx - half) // spacing * spacing
        for end, edge in ((east, cx + half), (west, cx - half)):
            if columns[0] <= end <= columns[1] and end != edge:
                step = RURAL_NODE_STEPS if end > edge else -RURAL_NODE_STEPS
                steps = [*range(edge, end, step), end]
                ways.add([(k, cy) for k in steps], highway="tertiary", maxspeed="70")
                meets.add((end, cy))
    return meets


def _country_roads(ways: _Ways, box, spacing: int, spans, feeders: set[tuple]) -> None:
    """Add a lattice of country roads; they share nodes with the settlements they cross."""
    west, south, east, north = box
    first_x, first_y = west + (-west) % spacing, south + (-south) % spacing
    for vertical, start, stop, low, high in (
        (True, first_x, east, south, north),
        (False, first_y, north, west, east),
    ):
        for n, fixed in enumerate(range(start, stop, spacing)):
            crossings = _crossings(fixed, vertical, spans)
            crossings.update(y for x, y in feeders if vertical and x == fixed)
            steps = sorted(
                {k for k in range(low, high + 1, RURAL_NODE_STEPS)}
                | {k for k in range(low + (-low) % spacing, high + 1, spacing)}
                | {k for k in crossings if low <= k <= high}
            )
            line = [(fixed, k) if vertical else (k, fixed) for k in steps]
            if n % 4 == 0:
                ways.add(line, highway="secondary", maxspeed="100", ref=f"K {100 + n}")
            else:
                ways.add(line, highway="unclassified")


def _crossings(fixed: int, vertical: bool, spans) -> set[int]:
    """Return where a country road crosses the streets of the settlements it passes through."""
    found = set()
    for (cx, cy), half in spans:
        across, along = (cx, cy) if vertical else (cy, cx)
        if abs(fixed - across) <= half:
            found.update(range(along - half, along + half + 1, 2))
    return found


def _motorway(ways: _Ways, box, spacing: int) -> None:
    """Add a motorway across the middle, off the lattice, joined to it at two junctions."""
    west, south, east, north = box
    # Between two country roads and half a step off the lattice: it crosses, never meets them.
    row = (south + north) // 2 // spacing * spacing + spacing // 2 + 0.5
    line = [(k, row) for k in range(west, east + 1, 20)]
    ways.add(line, highway="motorway", oneway="no", ref="A 99", maxspeed="none")
    for at in (line[len(line) // 3], line[2 * len(line) // 3]):
        ways.add([at, (at[0], int(row) - spacing // 2)], highway="motorway_link", oneway="no")


def _driveways(ways: _Ways, places: Iterable[tuple[float, float]]) -> int:
    """Join places far from every street to their nearest street node; return how many."""
    places = [p for p in places if p]
    if not places:
        return 0
    points = np.array(list(ways.ids), dtype=float) * STEP_M
    tree = cKDTree(points)
    x, y = TO_METRIC.transform(*np.asarray(places, dtype=float).T)
    distances, nearest = tree.query(np.column_stack([x, y]))
    count = 0
    lattice = list(ways.ids)
    for distance, node, px, py in zip(distances, nearest, x, y, strict=True):
        if distance > DRIVEWAY_M:
            end = (int(round(px / STEP_M * 10)) / 10, int(round(py / STEP_M * 10)) / 10)
            ways.add([lattice[node], end], highway="service", service="driveway")
            count += 1
    return count


def _write(path: Path, ways: _Ways) -> None:
    """Write nodes and ways as OSM XML, gzip-compressed when the name ends in .gz."""
    lattice = np.array(list(ways.ids), dtype=float) * STEP_M
    lon, lat = TO_WGS84.transform(lattice[:, 0], lattice[:, 1])
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<osm version="0.6" generator="kbm-map demo">\n')
        out.write(f"<note>{ATTRIBUTION}</note>\n")
        for node, a, b in zip(ways.ids.values(), lon, lat, strict=True):
            out.write(f'<node id="{node}" version="1" lat="{b:.7f}" lon="{a:.7f}"/>\n')
        for number, (tags, refs) in enumerate(ways.ways, start=1):
            out.write(f'<way id="{number}" version="1">')
            out.write("".join(f'<nd ref="{ref}"/>' for ref in refs))
            out.write("".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()))
            out.write("</way>\n")
        out.write("</osm>\n")
