"""The clusters of a view, computed in blocks of grid cells and remembered for a short while.

Cells belong to a global grid per zoom level, so a cell's count and centre do not depend on the
view. Panning therefore asks again for mostly the same cells: they are computed in blocks of
BLOCK x BLOCK cells (one SQL query for all blocks a view still lacks, through the spatial
index) and remembered (see cache.py), so the next views are cut from memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from ..extensions import db
from ..geo.clusters import Cell, Grid, cluster_cells
from ..models import Location
from .cache import MEMORY

BLOCK = 8  # cells per block side: 640 x 640 screen pixels with 80-pixel cells

Feature = dict
Contains = Callable[[Sequence[float]], bool]


def _compute_blocks(
    grid: Grid,
    blocks: list[tuple[int, int]],
    where: list,
    scan: Contains,
    to_features: Callable[[list[Cell]], list[Feature]],
) -> dict[tuple[int, int], list[tuple[Cell, Feature]]]:
    """Cluster the places of some blocks with one query; return (cell, feature) per block."""
    columns = [b[0] for b in blocks]
    rows = [b[1] for b in blocks]
    box = grid.box_of(
        min(columns) * BLOCK,
        min(rows) * BLOCK,
        (max(columns) + 1) * BLOCK - 1,
        (max(rows) + 1) * BLOCK - 1,
    )
    # A little more than the blocks: which cell a place is in is decided by the database's
    # own cell numbers, so places a rounding error away from a block's edge are not lost.
    # Cells of the margin are incomplete and dropped below (they lie in other blocks).
    mx, my = grid.width * 1e-3, grid.height * 1e-3
    wider = (box[0] - mx, box[1] - my, box[2] + mx, box[3] + my)
    cells = cluster_cells(
        db.session,
        Location.id,
        Location.geom,
        grid,
        wider,
        where,
        use_index=not scan(box),
        snap=False,
    )
    found: dict[tuple[int, int], list[tuple[Cell, Feature]]] = defaultdict(list)
    for cell, feature in zip(cells, to_features(cells), strict=True):
        found[cell.column // BLOCK, cell.row // BLOCK].append((cell, feature))
    return {block: found.get(block, []) for block in blocks}


def view_cells(
    grid: Grid,
    bbox: Sequence[float],
    key: tuple,
    where: list,
    scan: Contains,
    to_features: Callable[[list[Cell]], list[Feature]],
) -> tuple[list[Feature], int]:
    """Return the features of the cells meeting the box and the number of places in them.

    `key` names the selection, language and grid; `to_features` turns cells into GeoJSON;
    `scan(box)` tells whether a box holds every place (then a scan beats the index).
    """
    first_column, first_row, last_column, last_row = grid.cells_of(bbox)
    blocks = [
        (bx, by)
        for bx in range(first_column // BLOCK, last_column // BLOCK + 1)
        for by in range(first_row // BLOCK, last_row // BLOCK + 1)
    ]
    known = {block: MEMORY.recall((*key, block)) for block in blocks}
    missing = [block for block, value in known.items() if value is None]
    if missing:
        version = MEMORY.version
        computed = _compute_blocks(grid, missing, where, scan, to_features)
        for block, value in computed.items():
            MEMORY.keep((*key, block), value, version)
            known[block] = value
    features, total = [], 0
    for block in blocks:
        for cell, feature in known[block]:
            if first_column <= cell.column <= last_column and first_row <= cell.row <= last_row:
                features.append(feature)
                total += cell.count
    return features, total
