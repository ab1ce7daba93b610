"""A stored reachability map layer as GeoJSON: one square per grid cell, with its legend."""

from __future__ import annotations

import numpy as np

from ..models.reach import ReachRun
from .modes import describe
from .network import METRIC_CRS
from .population_points import TO_WGS84
from .reachability import OSM_ATTRIBUTION


def class_label(entry: dict) -> str:
    """Return a legend class as text: '≤ 5 min', '5–10 min', '> 30 min'."""
    if entry["to"] is None:
        return f"> {entry['from']} min"
    if not entry["from"]:
        return f"≤ {entry['to']} min"
    return f"{entry['from']}–{entry['to']} min"


def reach_layer(run: ReachRun, kind: str) -> dict:
    """Return the map layer of a run and kind as a GeoJSON FeatureCollection (WGS84)."""
    layer = run.layer_for(kind)
    if layer is None:
        raise KeyError(f"run {run.id} has no layer for kind {kind!r}")
    legend = [{**entry, "label": class_label(entry)} for entry in layer.legend]
    features = [_cell(layer.cell_size, cell, legend) for cell in layer.cells]
    return {
        "type": "FeatureCollection",
        "features": features,
        "legend": legend,
        "metadata": {
            "kind": kind,
            "mode": run.mode,
            "speeds": describe(run.mode),
            "network": run.network_file,
            "created_at": run.created_at.isoformat(timespec="seconds"),
            "selection": run.selection,
            "population": run.population_source,
            "approximated": run.approximated,
            "cell_size_m": layer.cell_size,
            "cell_crs": METRIC_CRS,
            "value": "population-weighted median minutes to the nearest Lernort",
            "attribution": OSM_ATTRIBUTION,
        },
    }


def _cell(size: int, cell: list, legend: list[dict]) -> dict:
    """Return one grid cell as a polygon feature."""
    column, row, population, minutes, klass = cell
    x = np.array([column, column + 1, column + 1, column, column]) * size
    y = np.array([row, row, row + 1, row + 1, row]) * size
    lon, lat = TO_WGS84.transform(x, y)
    ring = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {
            "population": round(population),
            "minutes": minutes,
            "class": klass,
            "label": legend[klass]["label"],
            "colour": legend[klass]["colour"],
        },
    }
