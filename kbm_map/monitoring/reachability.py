"""Reachability runs: compute, store and read travel times to the nearest Lernort per kind."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import numpy as np
from geoalchemy2.functions import ST_X, ST_Y
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from tqdm import tqdm
from werkzeug.datastructures import MultiDict

from ..errors import KbmMapError
from ..extensions import db
from ..models import Location, Region, Term, Vocabulary
from ..models.reach import ReachLayer, ReachResult, ReachRun
from .modes import MODES
from .network import NetworkError, StreetNetwork, read_network
from .population_points import Gemeinde, grid_points, street_points
from .reach import CELL_M, THRESHOLDS, Figures, figures_by_region, layer_cells, legend
from .reach import travel_minutes as minutes_to_nearest

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL"


class ReachError(KbmMapError):
    """A reachability run cannot start: unknown kind, no Gemeinden, bad thresholds."""


def url_args(params: Mapping | MultiDict | None) -> MultiDict:
    """Return search filters as URL arguments ({"area": "schule"} or a MultiDict)."""
    return params if isinstance(params, MultiDict) else MultiDict(params or {})


def lernorte_conditions(args: Mapping | MultiDict | None) -> list:
    """Return the SQL conditions on Location for the Lernorte the search filters select."""
    from ..finding import parse_params, select_for

    return select_for(parse_params(url_args(args))).located_lernorte()


def gemeinde_population(region: Region) -> float | None:
    """Return a Gemeinde's population (the one read of it, so that its source can change)."""
    return region.population


def load_gemeinden() -> list[Gemeinde]:
    """Return the active Gemeinden with an outline (AGS longer than a Kreis key), by name."""
    regions = db.session.scalars(
        select(Region)
        .where(Region.active.is_(True), Region.geom.isnot(None), func.length(Region.code) > 5)
        .order_by(Region.name, Region.code)
    )
    return [
        Gemeinde(r.id, r.code, r.name, gemeinde_population(r), to_shape(r.geom)) for r in regions
    ]


def lernorte_by_kind(
    args: Mapping | MultiDict | None, kinds: list[str] | None
) -> dict[str, np.ndarray]:
    """Return {kind code: array of (lon, lat)} of the selected Lernorte, for each kind asked."""
    known = set(db.session.scalars(select(Term.code).where(Term.vocabulary == _kind_vocabulary())))
    unknown = [k for k in kinds or [] if k not in known]
    if unknown:
        raise ReachError(f"unknown kind {unknown[0]!r}; known kinds: {', '.join(sorted(known))}")
    query = (
        select(Term.code, ST_X(Location.geom), ST_Y(Location.geom))
        .join(Term, Term.id == Location.kind_id)
        .where(*lernorte_conditions(args))
        .order_by(Location.id)
    )
    if kinds:
        query = query.where(Term.code.in_(kinds))
    found: dict[str, list] = {kind: [] for kind in kinds or []}
    for kind, lon, lat in db.session.execute(query):
        found.setdefault(kind, []).append((lon, lat))
    return {kind: np.asarray(found[kind], dtype=float).reshape(-1, 2) for kind in sorted(found)}


def _kind_vocabulary() -> str:
    """Return the vocabulary of Lernort kinds."""
    return Vocabulary.LOCATION_KIND.value


def run_reach(
    network_path: str | Path,
    mode: str,
    params: Mapping | MultiDict | None = None,
    kinds: Iterable[str] | None = None,
    grid: str | Path | None = None,
    thresholds: Iterable[int] = THRESHOLDS,
    progress: Callable[[str], None] | None = None,
) -> ReachRun:
    """Compute travel times to the nearest selected Lernort of each kind and store them.

    `params` are the search page's URL arguments; `kinds` are Term codes (default: every
    kind among the selected Lernorte). Nothing is stored unless the whole run succeeds.
    """
    began = time.perf_counter()
    say = progress or (lambda message: None)
    thresholds = _thresholds(thresholds)
    if mode not in MODES:
        raise NetworkError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    args = url_args(params)
    wanted = list(dict.fromkeys(kinds)) if kinds else None
    lernorte = lernorte_by_kind(args, wanted)
    if not lernorte:
        raise ReachError(
            "no published Lernort with a position matches the selection; nothing to do"
        )
    gemeinden = load_gemeinden()
    if not gemeinden:
        raise ReachError("no Gemeinden with outlines; run `kbm-map regions import` first")
    say(f"Reading {Path(network_path).name} …")
    network = read_network(network_path, mode)
    points = grid_points(grid, network, gemeinden) if grid else street_points(network, gemeinden)
    run = ReachRun(
        mode=mode,
        network_file=network.file_name,
        network_bytes=network.file_bytes,
        node_count=network.node_count,
        edge_count=network.edge_count,
        selection=urlencode(list(args.items(multi=True))),
        thresholds=list(thresholds),
        population_source=points.source,
        approximated=points.approximated,
        notes=list(points.notes),
    )
    for kind in tqdm(lernorte, desc="kinds", unit="kind", disable=None, leave=False):
        _add_kind(run, kind, lernorte[kind], network, points, gemeinden, thresholds)
    run.seconds = time.perf_counter() - began
    try:
        db.session.add(run)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return run


def _thresholds(values: Iterable[int]) -> tuple[int, ...]:
    """Return the thresholds as ascending positive whole minutes, or raise ReachError."""
    try:
        thresholds = tuple(sorted({int(v) for v in values}))
    except (TypeError, ValueError):
        raise ReachError("thresholds must be whole minutes, e.g. 5,10,15,30") from None
    if not thresholds or thresholds[0] <= 0:
        raise ReachError("thresholds must be whole minutes above 0, e.g. 5,10,15,30")
    return thresholds


def _add_kind(
    run: ReachRun,
    kind: str,
    positions: np.ndarray,
    network: StreetNetwork,
    points,
    gemeinden: list[Gemeinde],
    thresholds: tuple[int, ...],
) -> None:
    """Compute one kind's travel times (one shortest-path pass) and add its rows to the run."""
    minutes, on_network = minutes_to_nearest(
        network, points, positions[:, 0], positions[:, 1], max(thresholds)
    )
    per_region, total = figures_by_region(points, minutes, len(gemeinden), thresholds)
    for gemeinde, figures in zip(gemeinden, per_region, strict=True):
        run.results.append(_result(kind, figures, gemeinde))
    run.results.append(_result(kind, total, None))
    run.layers.append(
        ReachLayer(
            kind=kind,
            lernorte=len(positions),
            lernorte_on_network=on_network,
            cell_size=CELL_M,
            cells=layer_cells(points, minutes, thresholds),
            legend=legend(thresholds),
        )
    )


def _result(kind: str, figures: Figures, gemeinde: Gemeinde | None) -> ReachResult:
    """Turn figures into a stored row (gemeinde None: the whole area)."""
    return ReachResult(
        kind=kind,
        region_id=gemeinde.region_id if gemeinde else None,
        region_code=gemeinde.code if gemeinde else None,
        region_name=gemeinde.name if gemeinde else "",
        population=figures.population,
        within={str(t): value for t, value in figures.within.items()},
        not_reachable=figures.not_reachable,
        not_covered=figures.not_covered,
        median_minutes=figures.median_minutes,
    )


def newest_run(mode: str, kind: str, every_lernort: bool = False) -> ReachRun | None:
    """Return the newest run of a mode that computed a kind.

    every_lernort=True takes only runs that counted every published Lernort of the kind (no
    filters but kind), as a gap rule about the kind means.
    """
    runs = db.session.scalars(
        select(ReachRun)
        .join(ReachLayer, ReachLayer.run_id == ReachRun.id)
        .where(ReachRun.mode == mode, ReachLayer.kind == kind)
        .order_by(ReachRun.created_at.desc(), ReachRun.id.desc())
    )
    for run in runs:
        if not every_lernort or all(name == "kind" for name, _ in parse_qsl(run.selection)):
            return run
    return None


def latest_reach(mode: str, kind: str) -> list[ReachResult]:
    """Return the newest run's figures of a mode and kind: each Gemeinde, then the area."""
    run = newest_run(mode, kind)
    return run.results_for(kind) if run else []
