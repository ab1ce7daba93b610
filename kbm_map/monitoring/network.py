"""Read a street network from an OpenStreetMap extract into a compact directed graph.

Every node of a usable way becomes a graph node (so that points snap to where the street
really is); each segment becomes one or two directed edges weighted by travel seconds.
Only the main strongly connected components are kept: islands (a car park behind a
barrier, a path cut off at the extract's border, a oneway dead end) would trap whatever
snaps to them, so they are dropped and points snap to the main network instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import osmium
from pyproj import Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ..errors import KbmMapError
from .modes import MODES, RESIDENTIAL, way_speeds

SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf")
METRIC_CRS = "EPSG:3035"  # ETRS89-LAEA, the CRS of the Zensus grid: metres across Germany
# A component is kept when it has at least this share of the largest one's nodes (two
# towns joined only by a ferry stay; a cut-off footpath goes).
MAIN_COMPONENT_SHARE = 0.05
MIN_EDGE_SECONDS = 0.01  # csgraph reads a zero weight as "no edge": duplicate nodes
EARTH_RADIUS_M = 6_371_008.8
TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


class NetworkError(KbmMapError):
    """A street network file cannot be read or has nothing to route on."""


@dataclass
class StreetNetwork:
    """A directed street graph for one mode: node positions and travel seconds per edge."""

    mode: str
    file_name: str
    file_bytes: int
    osm_ids: np.ndarray  # the OSM node id of each graph node
    lon: np.ndarray
    lat: np.ndarray
    graph: csr_matrix  # graph[u, v] = seconds from node u to node v
    residential: np.ndarray  # metres of residential street around each node (0: none)
    dropped_nodes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        """Return the number of nodes."""
        return len(self.lon)

    @property
    def edge_count(self) -> int:
        """Return the number of directed edges."""
        return self.graph.nnz

    @cached_property
    def xy(self) -> np.ndarray:
        """Return the nodes' positions in metres (EPSG:3035), shape (n, 2)."""
        return np.column_stack(TO_METRIC.transform(self.lon, self.lat))

    @cached_property
    def tree(self) -> cKDTree:
        """Return a k-d tree over the nodes' metric positions, for snapping."""
        return cKDTree(self.xy)

    @cached_property
    def reversed_graph(self) -> csr_matrix:
        """Return the graph with every edge turned round (times *to* a place)."""
        return self.graph.transpose().tocsr()


@dataclass
class _Ways:
    """The usable ways of a file as flat arrays: node refs and positions, per-way speeds."""

    refs: list[int] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    last: list[bool] = field(default_factory=list)  # the way's last node: no edge onward
    forward: list[float] = field(default_factory=list)  # km/h per node of the way
    backward: list[float] = field(default_factory=list)
    residential: list[bool] = field(default_factory=list)


def read_network(path: str | Path, mode: str) -> StreetNetwork:
    """Read the ways usable by a mode from an OSM file (.osm, .osm.gz/.bz2, .osm.pbf)."""
    path = Path(path)
    if mode not in MODES:
        raise NetworkError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if not path.is_file():
        raise NetworkError(f"network file {path}: not found")
    if not path.name.lower().endswith(SUFFIXES):
        raise NetworkError(
            f"network file {path.name}: not an OSM extract (expected {', '.join(SUFFIXES)})"
        )
    began = time.perf_counter()
    ways = _read_ways(path, mode)
    read_at = time.perf_counter()
    if not ways.refs:
        raise NetworkError(f"network file {path.name}: no ways usable {mode_words(mode)}")
    network = _build(ways, mode, path)
    network.seconds = {"read": read_at - began, "build": time.perf_counter() - read_at}
    return network


def mode_words(mode: str) -> str:
    """Return 'on foot', 'by bike' or 'by car'."""
    return {"walk": "on foot", "bike": "by bike", "car": "by car"}[mode]


def _read_ways(path: Path, mode: str) -> _Ways:
    """Collect the nodes and speeds of every way the mode may use."""
    ways = _Ways()
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    try:
        for way in processor:
            tags = {tag.k: tag.v for tag in way.tags}
            speeds = way_speeds(tags, mode)
            if speeds is None or len(way.nodes) < 2:
                continue
            count = len(way.nodes)
            for node in way.nodes:
                ways.refs.append(node.ref)
                location = node.location
                valid = location.valid()  # a node missing from the extract
                ways.lon.append(location.lon if valid else np.nan)
                ways.lat.append(location.lat if valid else np.nan)
            ways.last.extend([False] * (count - 1) + [True])
            ways.forward.extend([speeds[0]] * count)
            ways.backward.extend([speeds[1]] * count)
            ways.residential.extend([tags["highway"] in RESIDENTIAL] * count)
    except RuntimeError as error:  # osmium's reader says what is wrong in one line
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise NetworkError(
            f"network file {path.name}: not a readable OSM file ({reason})"
        ) from None
    return ways


def _haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Return great-circle distances in metres between arrays of positions."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def _build(ways: _Ways, mode: str, path: Path) -> StreetNetwork:
    """Turn the collected ways into the graph of the network's main components."""
    refs = np.asarray(ways.refs, dtype=np.int64)
    ids, first, index = np.unique(refs, return_index=True, return_inverse=True)
    lon = np.asarray(ways.lon)[first]
    lat = np.asarray(ways.lat)[first]
    step = ~np.asarray(ways.last)[:-1]
    u, v = index[:-1][step], index[1:][step]
    forward = np.asarray(ways.forward)[:-1][step]
    backward = np.asarray(ways.backward)[:-1][step]
    metres = _haversine_m(lon[u], lat[u], lon[v], lat[v])
    usable = np.isfinite(metres) & (u != v)
    u, v, metres = u[usable], v[usable], metres[usable]
    forward, backward = forward[usable], backward[usable]
    residential = np.zeros(len(ids))
    on_residential = np.asarray(ways.residential)[:-1][step][usable]
    np.add.at(residential, u[on_residential], metres[on_residential] / 2)
    np.add.at(residential, v[on_residential], metres[on_residential] / 2)
    tails = np.concatenate([u[forward > 0], v[backward > 0]])
    heads = np.concatenate([v[forward > 0], u[backward > 0]])
    seconds = np.concatenate(
        [
            metres[forward > 0] / (forward[forward > 0] / 3.6),
            metres[backward > 0] / (backward[backward > 0] / 3.6),
        ]
    )
    graph = _graph(tails, heads, np.maximum(seconds, MIN_EDGE_SECONDS), len(ids))
    keep = _main_nodes(graph)
    if not keep.any():
        raise NetworkError(f"network file {path.name}: no ways usable {mode_words(mode)}")
    return StreetNetwork(
        mode=mode,
        file_name=path.name,
        file_bytes=path.stat().st_size,
        osm_ids=ids[keep],
        lon=lon[keep],
        lat=lat[keep],
        graph=graph[keep][:, keep].tocsr(),
        residential=residential[keep],
        dropped_nodes=int((~keep).sum()),
    )


def _graph(tails: np.ndarray, heads: np.ndarray, seconds: np.ndarray, size: int) -> csr_matrix:
    """Build a CSR matrix keeping the fastest of parallel edges (CSR would add them up)."""
    order = np.lexsort((seconds, heads, tails))
    tails, heads, seconds = tails[order], heads[order], seconds[order]
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    return csr_matrix((seconds[first], (tails[first], heads[first])), shape=(size, size))


def _main_nodes(graph: csr_matrix) -> np.ndarray:
    """Return a mask of the nodes in the main strongly connected components."""
    if graph.nnz == 0:
        return np.zeros(graph.shape[0], dtype=bool)
    _, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels)
    main = np.flatnonzero(sizes >= max(2, MAIN_COMPONENT_SHARE * sizes.max()))
    return np.isin(labels, main)
