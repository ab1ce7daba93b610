"""Reachability for the demo: a made-up street network of the demo region, and two runs.

`kbm-map demo --reach` writes the network into the instance folder and computes how far
people live from the nearest Kita on foot and from the nearest Grundschule by bike, so the
monitoring pages show a map layer and figures out of the box.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import current_app
from geoalchemy2.functions import ST_X, ST_Y
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from ..extensions import db
from ..models import Location, Region
from ..monitoring.reachability import run_reach
from .network import write_demo_network
from .vocabulary import DISTRICT_AGS

RUNS = (("walk", "kita"), ("bike", "grundschule"))
NETWORK_NODES = 20_000


def demo_reachability(seed: int, progress: Callable[[str], None] = print) -> Path:
    """Write the demo's street network and compute the demo's reachability runs."""
    regions = db.session.scalars(
        select(Region).where(Region.code.startswith(DISTRICT_AGS), Region.geom.isnot(None))
    ).all()
    towns = [
        {"polygon": to_shape(r.geom), "population": r.population or 1000, "code": r.code}
        for r in regions
    ]
    places = db.session.execute(
        select(ST_X(Location.geom), ST_Y(Location.geom)).where(
            Location.source == "demo", Location.geom.isnot(None)
        )
    ).all()
    path = Path(current_app.instance_path) / "demo-network.osm.gz"
    counts = write_demo_network(path, towns, seed=seed, size=NETWORK_NODES, places=places)
    progress(f"Demo street network: {counts.get('nodes', '?')} nodes in {path.name}")
    for mode, kind in RUNS:
        run = run_reach(path, mode, kinds=[kind])
        progress(f"Reachability {kind} ({mode}): run {run.id} in {run.seconds:.1f} s")
    return path
