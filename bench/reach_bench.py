"""Time reachability on a network of Landkreis Fulda's size and on the Bayreuth extract.

Usage: .venv/bin/python bench/reach_bench.py [--nodes 100000] [--locations 2000]
                                               [--bayreuth ../shared/data/osm/north-bayreuth.osm.gz]

Loads the demo region (SpatiaLite, temporary instance folder), writes its made-up street
network of about --nodes nodes, and times: reading the file, building the graph, and one
kind × mode pass (snapping, one multi-source Dijkstra, figures per Gemeinde, map cells)
with the street approximation and with a 100 m grid CSV; then `run_reach` end to end.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, action, *args):
    """Run an action, print its wall-clock seconds, and return its result."""
    began = time.perf_counter()
    result = action(*args)
    print(f"  {label}: {time.perf_counter() - began:.2f} s")
    return result


def summary(network) -> str:
    """Return the read and build times and the size of a network."""
    seconds = network.seconds
    return (
        f"read {seconds['read']:.2f} s, build {seconds['build']:.2f} s "
        f"({network.node_count:,} nodes, {network.edge_count:,} edges)"
    )


def one_pass(network, points, positions, gemeinden):
    """Compute one kind's minutes, figures and map cells."""
    from kbm_map.monitoring.reach import figures_by_region, layer_cells, travel_minutes

    minutes, _ = travel_minutes(network, points, positions[:, 0], positions[:, 1], 30)
    figures_by_region(points, minutes, len(gemeinden))
    return layer_cells(points, minutes)


def write_grid(points, path: Path) -> int:
    """Write the street points summed per 100 m cell as a Zensus grid CSV; return the cells."""
    columns, rows = np.floor(points.x / 100).astype(int), np.floor(points.y / 100).astype(int)
    keys, index = np.unique(np.column_stack([columns, rows]), axis=0, return_inverse=True)
    population = np.bincount(index.ravel(), weights=points.population)
    with path.open("w") as out:
        out.write("GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\n")
        for (column, row), people in zip(keys, population, strict=True):
            x, y = column * 100, row * 100
            out.write(f"CRS3035RES100mN{y}E{x};{x + 50};{y + 50};{max(1, round(people))}\n")
    return len(keys)


def bench_demo(options, folder: Path) -> None:
    """Time the steps on the demo region's network."""
    from kbm_map.demo import load_demo
    from kbm_map.demo.generator import generate
    from kbm_map.demo.network import write_demo_network
    from kbm_map.monitoring.network import read_network
    from kbm_map.monitoring.population_points import grid_points, street_points
    from kbm_map.monitoring.reachability import lernorte_by_kind, load_gemeinden, run_reach

    load_demo(options.locations, 100, seed=1, progress=lambda message: None)
    region = generate(options.locations, 100, seed=1)
    path = folder / "lindenau.osm.gz"
    places = [loc["position"] for loc in region.locations]
    counts = timed(
        "write network", lambda: write_demo_network(path, region.towns, 1, options.nodes, places)
    )
    print(f"  {counts['nodes']:,} nodes, {path.stat().st_size / 1e6:.1f} MB")
    gemeinden = load_gemeinden()
    lernorte = lernorte_by_kind({}, ["grundschule", "kita"])
    for mode in ("walk", "car"):
        network = read_network(path, mode)
        print(f"  {mode}: {summary(network)}")
        points = timed(f"{mode}: street points", street_points, network, gemeinden)
        for kind, positions in lernorte.items():
            timed(
                f"{mode}: pass {kind} ({len(positions)} Lernorte, {len(points.x):,} points)",
                one_pass,
                *(network, points, positions, gemeinden),
            )
    grid = folder / "zensus.csv"  # network and points are the car ones of the last round
    cells = write_grid(points, grid)
    grid_pts = timed(
        f"grid: read and snap {cells:,} cells", lambda: grid_points(grid, network, gemeinden)
    )
    timed(
        "car: pass kita on grid points",
        lambda: one_pass(network, grid_pts, lernorte["kita"], gemeinden),
    )
    run = timed(
        "run_reach walk, grundschule, end to end",
        lambda: run_reach(path, "walk", {}, ["grundschule"]),
    )
    print(f"  run {run.id}: {len(run.results)} rows, {len(run.layers[0].cells):,} map cells")


def bench_bayreuth(path: Path) -> None:
    """Time the steps on the real Bayreuth extract with two made-up Gemeinden over it."""
    from shapely.geometry import box

    from kbm_map.monitoring.network import read_network
    from kbm_map.monitoring.population_points import Gemeinde, street_points

    gemeinden = [
        Gemeinde(None, "1", "West", 30_000, box(11.40, 49.88, 11.555, 50.10)),
        Gemeinde(None, "2", "Ost", 7_000, box(11.555, 49.88, 11.68, 50.10)),
    ]
    schools = np.array([(11.5705, 50.0255), (11.525, 50.012), (11.59, 49.99)])
    for mode in ("walk", "bike", "car"):
        network = read_network(path, mode)
        print(f"  {mode}: {summary(network)}")
        points = street_points(network, gemeinden)
        timed(f"{mode}: pass (3 Lernorte)", one_pass, network, points, schools, gemeinden)


def main() -> None:
    """Parse arguments, set up an app on a fresh SpatiaLite file and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--locations", type=int, default=2_000)
    parser.add_argument(
        "--bayreuth",
        type=Path,
        default=Path(os.environ.get("KBM_SHARED_DATA", ROOT.parent / "shared" / "data"))
        / "osm"
        / "north-bayreuth.osm.gz",
    )
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kbm-reach-bench-"))
    os.environ.update(KBM_ENV="development", KBM_INSTANCE_PATH=str(folder))
    from kbm_map import create_app
    from kbm_map.db import upgrade_schema

    app = create_app()
    print(f"{time.strftime('%Y-%m-%d')}, load average {os.getloadavg()[0]:.2f}")
    with app.app_context():
        upgrade_schema()
        print(f"demo region, {options.locations} Lernorte, network of ~{options.nodes:,} nodes:")
        bench_demo(options, folder)
    if options.bayreuth.is_file():
        print(f"{options.bayreuth.name}:")
        bench_bayreuth(options.bayreuth)
    print(f"load average afterwards {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
