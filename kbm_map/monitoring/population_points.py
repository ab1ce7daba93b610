"""Where people live, as points: a Zensus-style grid CSV, or Gemeinde totals on their streets.

Grid CSV (the Zensus 2022 layout, e.g. ``Zensus2022_Bevoelkerungszahl_100m-Gitter.csv``)::

    GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner
    CRS3035RES100mN2820200E4316400;4316450;2820250;12

Semicolon or comma separated; the cell centre in EPSG:3035 metres (``x_mp_*``, ``y_mp_*``)
and the population (``Einwohner``); 1 km (``x_mp_1km``) and other cell sizes alike.
``-1``, ``-``, ``–`` or an empty value (a cell kept secret) count as 0 inhabitants.

Without a grid each Gemeinde's population is spread over its residential streets
(``residential``, ``living_street``) in proportion to street length: an approximation,
said so in every output. A Gemeinde without residential streets spreads it over all its
network nodes; one without any network node inside is "not covered".
"""

from __future__ import annotations

import csv
import re
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

from ..errors import KbmMapError
from .network import METRIC_CRS, StreetNetwork
from .reach import ACCESS_MPS, PopulationPoints, snap, to_metric

SECRET = frozenset({"-1", "-", "–", ""})
TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


class PopulationError(KbmMapError):
    """A population grid file cannot be read."""


@dataclass
class Gemeinde:
    """A Gemeinde as the reachability needs it: key, name, population and outline."""

    region_id: int | None
    code: str
    name: str
    population: float | None
    polygon: shapely.Geometry  # WGS84


def region_index(gemeinden: list[Gemeinde], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the index of the Gemeinde containing each position (-1: none)."""
    found = np.full(len(lon), -1, dtype=np.int64)
    for i, gemeinde in enumerate(gemeinden):
        west, south, east, north = gemeinde.polygon.bounds
        near = np.flatnonzero(
            (found < 0) & (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        )
        inside = shapely.contains_xy(gemeinde.polygon, lon[near], lat[near])
        found[near[inside]] = i
    return found


def street_points(network: StreetNetwork, gemeinden: list[Gemeinde]) -> PopulationPoints:
    """Spread each Gemeinde's population over its residential street nodes (approximation)."""
    regions = region_index(gemeinden, network.lon, network.lat)
    parts, notes = [], []
    for i, gemeinde in enumerate(gemeinden):
        if not gemeinde.population:
            notes.append(f"{gemeinde.name}: no population figure, left out")
            continue
        nodes = np.flatnonzero(regions == i)
        weights = network.residential[nodes]
        if weights.sum() <= 0 and len(nodes):
            notes.append(f"{gemeinde.name}: no residential streets, spread over all streets")
            weights = np.ones(len(nodes))
        if not len(nodes):
            notes.append(f"{gemeinde.name}: no street of the network inside, not covered")
            parts.append(_uncovered(gemeinde, i))
            continue
        x, y = network.xy[nodes, 0], network.xy[nodes, 1]
        share = gemeinde.population * weights / weights.sum()
        parts.append((x, y, share, np.full(len(nodes), i), nodes, np.zeros(len(nodes))))
    return _points(parts, approximated=True, source="streets", notes=notes)


def _uncovered(gemeinde: Gemeinde, index: int) -> tuple:
    """Return one point holding a Gemeinde's whole population, off the network."""
    centre = gemeinde.polygon.representative_point()
    x, y = to_metric([centre.x], [centre.y])
    return x, y, np.array([float(gemeinde.population)]), np.array([index]), np.array([-1]), [0.0]


def _points(parts: list[tuple], approximated: bool, source: str, notes: list[str]):
    """Concatenate per-Gemeinde point arrays into PopulationPoints."""
    columns = [np.concatenate([np.asarray(p[k]) for p in parts]) if parts else [] for k in range(6)]
    x, y, population, region, node, access = (np.asarray(c) for c in columns)
    return PopulationPoints(
        x=x.astype(float),
        y=y.astype(float),
        population=population.astype(float),
        region=region.astype(np.int64),
        node=node.astype(np.int64),
        access_s=access.astype(float),
        approximated=approximated,
        source=source,
        notes=notes,
    )


def grid_points(path: str | Path, network: StreetNetwork, gemeinden: list[Gemeinde]):
    """Read a Zensus-style grid CSV and snap its populated cells to the network."""
    path = Path(path)
    x, y, population = read_grid(path)
    lon, lat = TO_WGS84.transform(x, y)
    regions = region_index(gemeinden, np.asarray(lon), np.asarray(lat))
    notes = []
    outside = population[regions < 0].sum()
    if outside:
        notes.append(f"{outside:,.0f} inhabitants of the grid lie in no Gemeinde, left out")
    inside = regions >= 0  # a grid of all Germany shrinks to the area before snapping
    x, y, population, regions = x[inside], y[inside], population[inside], regions[inside]
    nodes, metres = snap(network, x, y)
    access = np.where(nodes >= 0, np.nan_to_num(metres) / ACCESS_MPS, 0.0)
    part = (x, y, population, regions, nodes, access)
    return _points([part], approximated=False, source=path.name, notes=notes)


def read_grid(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return x, y (EPSG:3035 metres) and population of the populated cells of a grid CSV."""
    try:
        try:
            return _read_cells(path, "utf-8-sig")
        except UnicodeDecodeError:
            return _read_cells(path, "latin-1")
    except OSError as error:
        raise PopulationError(f"grid file {path.name}: cannot be read ({error.strerror})") from None


def _read_cells(path: Path, encoding: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read the grid row by row (a file of all Germany has three million rows)."""
    with path.open(encoding=encoding, newline="") as stream:
        first = stream.readline()
        if not first.strip():
            raise PopulationError(f"grid file {path.name}: empty")
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        header = [name.strip().lower() for name in next(csv.reader([first], delimiter=delimiter))]
        columns = [_column(header, pattern, path) for pattern in (r"x_mp_\w+|x", r"y_mp_\w+|y")]
        columns.append(_column(header, r"einwohner|population", path))
        xs, ys, people = array("d"), array("d"), array("d")  # 8 bytes a value
        for number, row in enumerate(csv.reader(stream, delimiter=delimiter), start=2):
            try:
                x, y, count = (row[c] for c in columns)
                x, y = float(x), float(y)
                count = 0.0 if count.strip() in SECRET else float(count.replace(",", "."))
                if not (x >= 0 and y >= 0 and count >= 0):  # also NaN
                    raise ValueError
            except (ValueError, IndexError):
                if not any(cell.strip() for cell in row):
                    continue
                _raise_bad_row(row, columns, header, path, number)
            xs.append(x)
            ys.append(y)
            people.append(count)
    x, y, population = (
        np.frombuffer(v, dtype=float) if v else np.zeros(0) for v in (xs, ys, people)
    )
    populated = population > 0
    return x[populated], y[populated], population[populated]


def _column(header: list[str], pattern: str, path: Path) -> int:
    """Return the index of the first header name matching a pattern."""
    for index, name in enumerate(header):
        if re.fullmatch(pattern, name):
            return index
    wanted = pattern.split("|")[0].replace(r"\w+", "100m")
    raise PopulationError(
        f"grid file {path.name}: no column {wanted} (expected the Zensus layout "
        "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner)"
    )


def _raise_bad_row(row: list[str], columns: list[int], header: list[str], path: Path, number: int):
    """Raise the error naming the first bad field of a grid row."""
    if max(columns) >= len(row):
        raise PopulationError(
            f"grid file {path.name}, row {number}: {len(row)} fields, the header has {len(header)}"
        )
    for position, column in enumerate(columns):
        raw = row[column].strip()
        inhabitants = position == 2
        if inhabitants and raw in SECRET:
            continue
        try:
            value = float(raw.replace(",", ".")) if inhabitants else float(raw)
        except ValueError:
            value = float("nan")
        if not (value >= 0 and np.isfinite(value)):
            raise PopulationError(
                f"grid file {path.name}, row {number}, column {header[column]}: "
                f"{raw!r} is not {'a number of inhabitants' if inhabitants else 'a coordinate'}"
            )
