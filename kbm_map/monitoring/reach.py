"""Travel times from population points to the nearest Lernort, and their figures.

Points (people and Lernorte) are snapped to the nearest node of the street network; the
straight line to it counts as a walk at walking speed for every mode (to the car, the bike,
the door). A point farther than MAX_SNAP_M from any street is "not covered by the network".
For each kind of Lernort one multi-source shortest-path pass over the reversed graph gives
every node its time to the nearest Lernort of that kind, up to the largest threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix, vstack
from scipy.sparse.csgraph import dijkstra

from .modes import WALK_KMH
from .network import MIN_EDGE_SECONDS, TO_METRIC, StreetNetwork

MAX_SNAP_M = 1000.0
ACCESS_MPS = WALK_KMH / 3.6
THRESHOLDS = (5, 10, 15, 30)
CELL_M = 500  # map layer cells, in EPSG:3035 metres like the Zensus grid
# ColorBrewer YlOrRd: light for near, dark for far; readable in grey and with colour blindness.
CLASS_COLOURS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


@dataclass
class PopulationPoints:
    """Where people live: metric positions, population, Gemeinde index and network node."""

    x: np.ndarray
    y: np.ndarray
    population: np.ndarray
    region: np.ndarray  # index into the Gemeinden list; -1: in none of them
    node: np.ndarray  # network node; -1: not covered by the network
    access_s: np.ndarray  # seconds from the point to its node
    approximated: bool
    source: str  # "streets" or the grid file's name
    notes: list[str] = field(default_factory=list)


@dataclass
class Figures:
    """Population and how much of it reaches a Lernort within each threshold."""

    population: float
    within: dict[int, float]
    not_reachable: float  # on the network, but not within the largest threshold
    not_covered: float  # too far from any street
    median_minutes: float | None  # of the covered population; None if over the largest threshold

    def share(self, minutes: int) -> float | None:
        """Return the share (0–1) of the population within the minutes, None without people."""
        return self.within[minutes] / self.population if self.population else None


def snap(network: StreetNetwork, x: np.ndarray, y: np.ndarray, max_m: float = MAX_SNAP_M):
    """Return (nodes, metres) of the nearest network node of metric points; -1 if too far."""
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    metres, nodes = network.tree.query(np.column_stack([x, y]), distance_upper_bound=max_m)
    nodes = np.where(np.isfinite(metres), nodes, -1).astype(np.int64)
    return nodes, np.where(np.isfinite(metres), metres, np.nan)


def to_metric(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 positions to EPSG:3035 metres."""
    x, y = TO_METRIC.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def seconds_to_nearest(
    network: StreetNetwork, nodes: np.ndarray, egress_s: np.ndarray, limit_s: float
) -> np.ndarray:
    """Return every node's seconds to the nearest target (inf beyond the limit).

    Each target becomes an extra node behind an edge of its egress time, so that one
    Dijkstra pass from all of them over the reversed graph gives times *to* them.
    """
    size, count = network.node_count, len(nodes)
    if count == 0:
        return np.full(size, np.inf)
    egress = csr_matrix(
        (np.maximum(egress_s, MIN_EDGE_SECONDS), (np.arange(count), nodes)), shape=(count, size)
    )
    graph = vstack([network.reversed_graph, egress], format="csr")
    graph.resize((size + count, size + count))
    times = dijkstra(
        graph, directed=True, indices=np.arange(size, size + count), min_only=True, limit=limit_s
    )
    return times[:size]


def travel_minutes(
    network: StreetNetwork, points: PopulationPoints, lon, lat, limit_minutes: float
) -> tuple[np.ndarray, int]:
    """Return each point's minutes to the nearest Lernort (inf: not within the limit,
    nan: not covered) and how many Lernorte lie on the network."""
    x, y = to_metric(lon, lat)
    nodes, metres = snap(network, x, y)
    on_network = nodes >= 0
    limit_s = limit_minutes * 60
    times = seconds_to_nearest(network, nodes[on_network], metres[on_network] / ACCESS_MPS, limit_s)
    covered = points.node >= 0
    seconds = np.full(len(points.node), np.nan)
    seconds[covered] = times[points.node[covered]] + points.access_s[covered]
    return seconds / 60, int(on_network.sum())


def figures(population: np.ndarray, minutes: np.ndarray, thresholds=THRESHOLDS) -> Figures:
    """Sum up a group of points: population within each threshold, medians, gaps."""
    covered = ~np.isnan(minutes)
    reach = np.where(covered, minutes, np.inf)
    return Figures(
        population=float(population.sum()),
        within={t: float(population[reach <= t].sum()) for t in thresholds},
        not_reachable=float(population[covered & ~(reach <= max(thresholds))].sum()),
        not_covered=float(population[~covered].sum()),
        median_minutes=_median(population[covered], reach[covered], max(thresholds)),
    )


def _median(population: np.ndarray, minutes: np.ndarray, limit: float) -> float | None:
    """Return the population-weighted median of minutes, None if over the limit or empty."""
    if population.sum() <= 0:
        return None
    order = np.argsort(minutes, kind="stable")
    cumulative = np.cumsum(population[order])
    median = minutes[order][np.searchsorted(cumulative, cumulative[-1] / 2)]
    return float(median) if median <= limit else None


def figures_by_region(
    points: PopulationPoints, minutes: np.ndarray, regions: int, thresholds=THRESHOLDS
) -> tuple[list[Figures], Figures]:
    """Return the figures of each Gemeinde (by index) and of all of them together."""
    inside = points.region >= 0
    per_region = [
        figures(points.population[points.region == i], minutes[points.region == i], thresholds)
        for i in range(regions)
    ]
    return per_region, figures(points.population[inside], minutes[inside], thresholds)


def minute_class(minutes: float | None, thresholds=THRESHOLDS) -> int:
    """Return the legend class of a travel time: 0 for up to the first threshold, and so on."""
    if minutes is None:
        return len(thresholds)
    return int(np.searchsorted(np.asarray(thresholds, dtype=float), minutes, side="left"))


def legend(thresholds=THRESHOLDS) -> list[dict]:
    """Return the map layer's classes: bounds in minutes (None: open) and colour."""
    bounds = (0, *thresholds, None)
    return [
        {"class": i, "from": bounds[i], "to": bounds[i + 1], "colour": CLASS_COLOURS[i]}
        for i in range(len(thresholds) + 1)
    ]


def layer_cells(
    points: PopulationPoints, minutes: np.ndarray, thresholds=THRESHOLDS, cell_m: int = CELL_M
) -> list[list]:
    """Return [column, row, population, median minutes or None, class] per populated cell.

    Cells are squares of cell_m metres in EPSG:3035 (column = floor(x / cell_m)); the value
    is the population-weighted median of the cell's points that the network covers.
    """
    use = (~np.isnan(minutes)) & (points.population > 0) & (points.region >= 0)
    columns = np.floor(points.x[use] / cell_m).astype(np.int64)
    rows = np.floor(points.y[use] / cell_m).astype(np.int64)
    population, reach = points.population[use], minutes[use]
    keys, cell = np.unique(np.column_stack([columns, rows]), axis=0, return_inverse=True)
    cell = cell.ravel()
    order = np.lexsort((reach, cell))
    cell, population, reach = cell[order], population[order], reach[order]
    totals = np.bincount(cell, weights=population, minlength=len(keys))
    cumulative = np.cumsum(population)
    before = np.concatenate([[0.0], np.cumsum(totals)[:-1]])
    reached = np.flatnonzero(cumulative - before[cell] >= totals[cell] / 2 - 1e-9)
    _, first = np.unique(cell[reached], return_index=True)
    medians = reach[reached[first]]
    cells = []
    for (column, row), total, median in zip(keys, totals, medians, strict=True):
        value = round(float(median), 1) if median <= max(thresholds) else None
        cells.append(
            [int(column), int(row), round(float(total), 1), value, minute_class(value, thresholds)]
        )
    return cells
