"""Import population figures per region, reference date and age group, in one transaction."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from ..extensions import db
from ..importers import Mapping, Rejection
from ..importers.mapping_keys import TITLE
from ..importers.schedule import date_in_lines
from ..importers.values import TOTAL
from ..models import AuditEntry, PopulationFigure, Region, utcnow
from ..models.region import KREIS_DIGITS
from .datafiles import DataFileError, mapped_records, open_source, read_mapping

DEFAULT_MAPPING = "destatis-gv-gemeinden"
# Length of an AGS (or ARS) -> the level of region it names.
LEVELS = {2: "Land", 3: "Regierungsbezirk", 5: "Kreis", 8: "Gemeinde", 9: "Gemeindeverband"}
_BATCH = 500

Figures = dict[tuple[str, str], int]  # (code, age group) -> inhabitants


@dataclass
class PopulationSummary:
    """What a population import did."""

    file: str
    source: str
    reference_date: date
    regions: int = 0  # regions here with figures in the file
    kreise: list[str] = field(default_factory=list)  # kept for the age shares of their Gemeinden
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    without_figures: int = 0  # rows with no figure at all (footnotes, former Kreise)
    unmatched: Counter = field(default_factory=Counter)  # code length -> rows
    regions_here: str = ""
    populations_updated: int = 0  # regions whose population became the newest total
    seconds: float = 0.0

    @property
    def unmatched_note(self) -> str | None:
        """Say how many rows matched no region, at which level, and which regions there are."""
        total = sum(self.unmatched.values())
        if not total:
            return None
        levels = sorted(self.unmatched)
        parts = [f"{digits}-digit {level_of(digits)} codes" for digits in levels]
        if len(parts) > 1:
            parts = [f"{self.unmatched[d]:,} with {p}" for d, p in zip(levels, parts, strict=True)]
        return f"{total:,} rows matched no region ({', '.join(parts)}); {self.regions_here}"


def level_of(digits: int) -> str:
    """Name the level of region a code of this many digits stands for."""
    return LEVELS.get(digits, "region")


def import_population(
    path: str | Path,
    mapping: str | Path = DEFAULT_MAPPING,
    on: date | None = None,
    source: str | None = None,
) -> PopulationSummary:
    """Store a file's figures for its reference date, replacing the source's earlier ones.

    The date is `on`, else the one in the file's title lines (mapping: date = "title"),
    else the mapping's. Rows of regions here are kept, and rows of the Kreise of the
    Gemeinden here (their age shares serve for estimates); the others are counted.
    Any broken row stops the import; nothing is changed then.
    """
    began = time.perf_counter()
    path = Path(path)
    rules = read_mapping(mapping, "population")
    records = open_source(path, rules)
    name = (source or path.stem)[:128]  # the column's length
    summary = PopulationSummary(path.name, name, _reference_date(records, rules, on))
    try:
        figures = _read_figures(path, rules, records, summary)
        _store(figures, rules, summary)
        summary.populations_updated = sync_region_population(f"population:{path.name}")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    summary.seconds = time.perf_counter() - began
    return summary


def _reference_date(records, rules: Mapping, given: date | None) -> date:
    """Return the reference date: given, from the title lines, or from the mapping."""
    if given is not None:
        return given
    if rules.date == TITLE:
        found = date_in_lines(records.title)
        if found is None:
            shown = "; ".join(records.title)[:200] or "there are none"
            raise DataFileError(
                f"file {records.name}: no reference date in the title lines above the header "
                f"({shown}); give it with --date YYYY-MM-DD"
            )
        return found
    if isinstance(rules.date, date):
        return rules.date
    raise DataFileError(
        f"mapping {rules.name}: names no reference date ([import] date); "
        "give it with --date YYYY-MM-DD"
    )


def _read_figures(path: Path, rules: Mapping, records, summary: PopulationSummary) -> Figures:
    """Read the rows of the regions here and of their Kreise; count the others."""
    regions = set(db.session.scalars(select(Region.code)))
    kreise = {c[:KREIS_DIGITS] for c in regions if len(c) > KREIS_DIGITS} - regions
    summary.regions_here = describe_regions(regions)
    figures: Figures = {}
    matched: set[str] = set()
    for result in mapped_records(path, rules, records=records):
        if isinstance(result, Rejection):
            raise DataFileError(f"{describe_rejection(result, rules)}; nothing was changed")
        record = result.record
        if not record.has_figures:
            summary.without_figures += 1
            continue
        if record.code not in regions and record.code not in kreise:
            summary.unmatched[len(record.code)] += 1
            continue
        matched.add(record.code)
        if record.population is not None:
            figures[record.code, TOTAL] = record.population
        for group, value in record.groups.items():
            figures[record.code, group] = value
    summary.regions = len(matched & regions)
    summary.kreise = sorted(matched & kreise)
    if not figures:
        raise DataFileError(
            f"file {path.name}: no row matched a region here; nothing was changed. "
            + (summary.unmatched_note or summary.regions_here)
        )
    return figures


def describe_regions(codes: set[str]) -> str:
    """Say which regions there are, by level: 'the regions here are 23 with 8-digit …'."""
    if not codes:
        return "there are no regions here yet: import them first with `kbm-map regions import`"
    by_length: dict[int, list[str]] = {}
    for code in codes:
        by_length.setdefault(len(code), []).append(code)
    parts = [
        f"{len(found)} with {digits}-digit {level_of(digits)} codes "
        f"({min(found)}{' … ' + max(found) if len(found) > 1 else ''})"
        for digits, found in sorted(by_length.items())
    ]
    return "the regions here are " + ", ".join(parts)


def describe_rejection(rejection: Rejection, rules: Mapping) -> str:
    """Describe a broken row as one line naming file, row and column."""
    rule = rules.rules.get(rejection.field or "")
    if rule is not None and len(rule.sources) == 1 and not rule.sources[0].is_template:
        where = f"column {rule.sources[0].text!r}"
    elif rejection.field in (None, "id"):
        where = "field code"  # a code repeated in the file
    elif rejection.field in rules.rules:
        where = f"field {rejection.field}"
    else:
        where = f"column {rejection.field!r}"  # an age group's column
    return f"file {rejection.file}, row {rejection.row}, {where}: {rejection.reason}"


def _store(figures: Figures, rules: Mapping, summary: PopulationSummary) -> None:
    """Write the figures of (source, date): insert new, update changed, delete vanished."""
    table = PopulationFigure
    scope = (table.source == summary.source, table.reference_date == summary.reference_date)
    stmt = select(table.id, table.code, table.age_group, table.value, table.estimated).where(*scope)
    stmt = stmt.add_columns(table.publisher, table.licence, table.attribution)
    stored = {(row.code, row.age_group): row for row in db.session.execute(stmt)}
    about = {
        "estimated": rules.estimated,
        "publisher": rules.source,
        "licence": rules.licence,
        "attribution": rules.attribution,
    }
    now = utcnow()
    new, changed = [], []
    for (code, group), value in figures.items():
        old = stored.pop((code, group), None)
        if old is None:
            new.append({"code": code, "age_group": group, "value": value, **about})
        elif (old.value, *(getattr(old, k) for k in about)) != (value, *about.values()):
            changed.append({"id": old.id, "value": value, **about, "imported_at": now})
        else:
            summary.unchanged += 1
    common = {"source": summary.source, "reference_date": summary.reference_date}
    if new:
        db.session.execute(insert(table), [{**row, **common, "imported_at": now} for row in new])
    if changed:
        db.session.execute(update(table), changed)
    gone = [row.id for row in stored.values()]
    for start in range(0, len(gone), _BATCH):
        db.session.execute(delete(table).where(table.id.in_(gone[start : start + _BATCH])))
    summary.new, summary.changed, summary.removed = len(new), len(changed), len(gone)


def newest_totals() -> dict[str, tuple[int, date]]:
    """Return each code's total at its newest reference date (the latest import of it wins)."""
    table = PopulationFigure
    stmt = (
        select(table.code, table.value, table.reference_date)
        .where(table.age_group == TOTAL)
        .order_by(table.reference_date, table.imported_at, table.id)
    )
    return {code: (value, on) for code, value, on in db.session.execute(stmt)}


def sync_region_population(origin: str) -> int:
    """Set each region's population to its newest total; return how many changed.

    Regions without any stored total keep theirs (typed in by staff, or from
    `kbm-map regions import --population`).
    """
    totals = newest_totals()
    stmt = select(Region.id, Region.code, Region.population).where(Region.code.in_(list(totals)))
    now = utcnow()
    audits = []
    for region_id, code, population in db.session.execute(stmt).all():
        value = totals[code][0]
        if population == value:
            continue
        db.session.execute(
            update(Region).where(Region.id == region_id).values(population=value, updated_at=now)
        )
        audits.append(
            {
                "entity_type": "region",
                "entity_id": region_id,
                "action": "update",
                "origin": origin,
                "changes": {"population": [population, value]},
                "created_at": now,
            }
        )
    if audits:
        db.session.execute(insert(AuditEntry), audits)
    return len(audits)
