"""Import regions (Gemeinden, Kreise) with population, and give Lernorte their region."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from geoalchemy2.functions import ST_Intersects
from geoalchemy2.shape import to_shape
from sqlalchemy import insert, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from ..extensions import db
from ..importers import Rejection
from ..models import AuditEntry, Location, Region, utcnow
from .datafiles import DataFileError, mapped_records, read_mapping
from .indexing import commit_with_index, rebuild_index
from .population import sync_region_population

DEFAULT_MAPPING = "bkg-gemeinden"
DEFAULT_POPULATION_MAPPING = "destatis-kreise"
_BATCH = 2_000


@dataclass
class RegionSummary:
    """What a regions import did."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    population_set: int = 0
    population_unmatched: int = 0
    locations_assigned: int = 0
    seconds: float = 0.0
    index_note: str | None = None  # set when the search index could not follow


class region_index_meets(FunctionElement):  # noqa: N801 - reads like the SQL it renders
    """True where a region's bounding box meets a geometry, through the spatial index.

    Deliberately untyped: as a Boolean, SQLAlchemy would write `(…) = 1` on SQLite, which
    hides the rowid lookup from SQLite's planner and makes it scan every region.
    """

    name = "region_index_meets"
    inherit_cache = True


@compiles(region_index_meets, "postgresql")
def _meets_pg(element, compiler, **kw):
    """Render the box test with PostGIS's index operator."""
    region_geom, other = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({region_geom} && {other})"


@compiles(region_index_meets, "sqlite")
def _meets_sqlite(element, compiler, **kw):
    """Render the box test as a lookup in SpatiaLite's SpatialIndex virtual table."""
    column, other = list(element.clauses)
    rowid = compiler.process(column.table.c.id, **kw)
    frame = compiler.process(other, **kw)
    # SQLite never consults the R*Tree by itself; a correlated search_frame does, per row.
    # Both parts are compiled from our own columns, never from input.
    return (
        f"({rowid} IN (SELECT rowid FROM SpatialIndex WHERE f_table_name = 'regions' "  # noqa: S608
        f"AND f_geometry_column = 'geom' AND search_frame = {frame}))"
    )


def region_of(geom_column):
    """Return a scalar subquery: the id of the region containing the geometry (lowest code)."""
    regions = Region.__table__.alias("containing_region")
    return (
        select(regions.c.id)
        .where(
            region_index_meets(regions.c.geom, geom_column),
            ST_Intersects(regions.c.geom, geom_column),
        )
        .order_by(regions.c.code)
        .limit(1)
        .scalar_subquery()
    )


def assign_regions(location_ids: Iterable[int] | None = None) -> int:
    """Set each Lernort's region by point in polygon (all, or those given); return rows changed.

    One UPDATE per batch that only touches rows whose region really changes, leaving
    `updated_at` as it is: the region follows from the position (whose own change moves
    `updated_at`) and the regions' outlines, and is no change of the entry's content. So a
    refresh also goes on skipping the rows of Lernorte that were only placed (entries.py).
    """
    table = Location.__table__
    found = region_of(table.c.geom)
    batches: Iterable[list[int] | None] = [None]
    if location_ids is not None:
        ids = sorted(set(location_ids))
        batches = [ids[i : i + _BATCH] for i in range(0, len(ids), _BATCH)]
    changed = 0
    for batch in batches:
        scope = [table.c.id.in_(batch)] if batch is not None else []
        placed = (
            update(table)
            .where(table.c.geom.isnot(None), table.c.region_id.is_distinct_from(found), *scope)
            .values(region_id=found, updated_at=table.c.updated_at)
        )
        unplaced = (
            update(table)
            .where(table.c.geom.is_(None), table.c.region_id.isnot(None), *scope)
            .values(region_id=None, updated_at=table.c.updated_at)
        )
        changed += db.session.execute(placed).rowcount + db.session.execute(unplaced).rowcount
    return changed


def import_regions(
    path: str | Path,
    mapping: str | Path = DEFAULT_MAPPING,
    population: str | Path | None = None,
    population_mapping: str | Path = DEFAULT_POPULATION_MAPPING,
    update_index: bool = True,
) -> RegionSummary:
    """Upsert regions by code from a file, add population figures, then place every Lernort.

    When Lernorte changed region, the search index is rebuilt after the commit (the
    Gemeinde facet of them and of their Angebote changes; a rebuild is the bulk path).
    """
    began = time.perf_counter()
    rules = read_mapping(mapping, "region")
    population_rules = read_mapping(population_mapping, "population") if population else None
    summary = RegionSummary()
    origin = f"regions:{Path(path).name}"
    try:
        records = {}
        for result in mapped_records(path, rules):
            if isinstance(result, Rejection):
                summary.rejected.append(result)
            else:
                records[result.record.code] = result.record
        if not records:
            raise DataFileError(f"file {Path(path).name}: no region could be read; nothing changed")
        _upsert(records, summary, origin)
        _credit(records, rules.attribution or rules.source)
        if population_rules is not None:
            _set_population(population, population_rules, summary, origin)
        else:  # new Gemeinden get the figures `kbm-map population import` stored before
            summary.population_set = sync_region_population(origin)
        summary.locations_assigned = assign_regions()
        if update_index and summary.locations_assigned:
            summary.index_note = commit_with_index(rebuild_index, everything=True)
        else:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    summary.seconds = time.perf_counter() - began
    return summary


def _credit(records: dict, attribution: str | None) -> None:
    """Record the outlines' credit line with the regions of the file (no change otherwise)."""
    codes = sorted(records)
    for start in range(0, len(codes), _BATCH):
        db.session.execute(
            update(Region)
            .where(
                Region.code.in_(codes[start : start + _BATCH]),
                Region.attribution.is_distinct_from(attribution),
            )
            .values(attribution=attribution, updated_at=Region.updated_at)
        )


def _upsert(records: dict, summary: RegionSummary, origin: str) -> None:
    """Insert new regions and update changed ones; audit both."""
    existing = {r.code: r for r in db.session.execute(select(Region.__table__))}
    now = utcnow()
    audits = []
    for code, record in records.items():
        geom = f"SRID=4326;{record.geometry.wkt}"
        old = existing.get(code)
        if old is None:
            row = {"code": code, "name": record.name, "kind": record.kind, "geom": geom}
            region_id = db.session.scalar(insert(Region).returning(Region.id), row)
            audits.append(_audit(region_id, "create", {"code": [None, code]}, origin, now))
            summary.new += 1
            continue
        changes = {
            name: [getattr(old, name), getattr(record, name)]
            for name in ("name", "kind")
            if getattr(old, name) != getattr(record, name)
        }
        values = {name: new for name, (_, new) in changes.items()}
        if old.geom is None or not shapely.equals_exact(to_shape(old.geom), record.geometry, 1e-9):
            changes["geom"] = ["(outline)", "(new outline)"]
            values["geom"] = geom
        if not changes:
            summary.unchanged += 1
            continue
        db.session.execute(
            update(Region).where(Region.id == old.id).values(**values, updated_at=now)
        )
        audits.append(_audit(old.id, "update", changes, origin, now))
        summary.changed += 1
    if audits:
        db.session.execute(insert(AuditEntry), audits)


def _set_population(path, rules, summary: RegionSummary, origin: str) -> None:
    """Set the population of the regions named in a population file."""
    current = dict(db.session.execute(select(Region.code, Region.population)).all())
    ids = dict(db.session.execute(select(Region.code, Region.id)).all())
    now = utcnow()
    audits = []
    for result in mapped_records(path, rules):
        if isinstance(result, Rejection):
            summary.rejected.append(result)
            continue
        code, figure = result.record.code, result.record.population
        if figure is None:
            continue  # a row without figures: a footnote, a former Kreis
        if code not in current:
            summary.population_unmatched += 1
            continue
        if current[code] != figure:
            db.session.execute(
                update(Region).where(Region.code == code).values(population=figure, updated_at=now)
            )
            audits.append(
                _audit(ids[code], "update", {"population": [current[code], figure]}, origin, now)
            )
            current[code] = figure
        summary.population_set += 1
    if audits:
        db.session.execute(insert(AuditEntry), audits)


def _audit(region_id: int, action: str, changes: dict, origin: str, now) -> dict:
    """Return an audit row for a region."""
    return {
        "entity_type": "region",
        "entity_id": region_id,
        "action": action,
        "origin": origin,
        "changes": changes,
        "created_at": now,
    }
