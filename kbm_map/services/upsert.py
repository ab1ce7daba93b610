"""Upsert planned listings by (source, external_id) in bulk: diff, insert, update, archive, audit.

Only columns that really change are written, and unchanged rows are not touched at all, so
`updated_at` keeps meaning "last real change". Fields named in a row's `edited_fields` were
changed by staff by hand and are never overwritten; each such field is counted as kept.

Each row written or compared keeps the fingerprint of the record it came from (or none, if
the row must be read in full every time); a refresh skips rows whose record is unchanged
(see services/fingerprints.py). Storing a fingerprint alone does not move `updated_at`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update

from ..extensions import db
from ..models import AuditEntry, Status
from ..text import slugify
from .audit import plain_value
from .entries import load_index, load_rows
from .stored import BATCH, Existing, Link, Planned, Spec, load_existing

# Staff forms record the field a person sees; the import compares the column behind it.
FIELD_OF = {"kind_id": "kind", "organization_id": "organization", "region_id": "region"}
GEOM_FIELDS = frozenset({"geom", "position", "lon", "lat"})
_TOLERANCE = 1e-9  # degrees: ~0.1 mm, far below any real move, above float noise


@dataclass
class Outcome:
    """What one upsert did; ids feed the region assignment and the search index."""

    new_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)
    moved_ids: list[int] = field(default_factory=list)  # position written (new or changed)
    unchanged: int = 0
    kept_edits: int = 0
    archived: list[tuple[int, str, str]] = field(default_factory=list)  # id, external id, label


def _same(old: Any, new: Any) -> bool:
    """Tell whether a stored value equals a planned one (floats within float noise)."""
    if isinstance(old, float) and isinstance(new, float):
        return abs(old - new) <= _TOLERANCE
    return old == new


def _same_point(old, new) -> bool:
    """Tell whether two (lon, lat) positions (or None) are the same."""
    if old is None or new is None:
        return old is new
    return abs(old[0] - new[0]) <= _TOLERANCE and abs(old[1] - new[1]) <= _TOLERANCE


def _protected(name: str, edited: frozenset[str]) -> bool:
    """Tell whether staff edited this column (or the field behind it) by hand."""
    if name == "geom":
        return bool(edited & GEOM_FIELDS)
    return name in edited or FIELD_OF.get(name, name) in edited


def ewkt(point: tuple[float, float] | None) -> str | None:
    """Return a point as EWKT for the geometry column, or None."""
    return None if point is None else f"SRID=4326;POINT({point[0]!r} {point[1]!r})"


def insert_by_external_id(table: Table, source: str, rows: list[dict]) -> list[int]:
    """Insert rows of one source and return their ids in order.

    RETURNING with sort_by_parameter_order makes SQLite insert row by row; (source,
    external_id) is unique, so one batched INSERT and one SELECT give the same answer.
    """
    db.session.execute(insert(table), rows)
    wanted = [row["external_id"] for row in rows]
    found: dict[str, int] = {}
    for start in range(0, len(wanted), BATCH):
        stmt = select(table.c.external_id, table.c.id).where(
            table.c.source == source, table.c.external_id.in_(wanted[start : start + BATCH])
        )
        found.update(db.session.execute(stmt).all())
    return [found[external_id] for external_id in wanted]


class Upsert:
    """Write one source's rows of one table: collects work per chunk, then writes in bulk."""

    def __init__(
        self,
        spec: Spec,
        source: str,
        origin: str,
        status: str,
        now: datetime,
        reuse_since: datetime | None = None,
    ):
        """Load an index of the source's current rows and the slugs already taken.

        With `reuse_since` (the start of the source's last successful run, whose context
        is still the same), rows whose record is unchanged may be skipped, and the stored
        values of a row are read only when the row is compared. Without it every row is
        compared, and all are read at once, which is faster than chunk by chunk.
        """
        self.spec, self.source, self.origin, self.status, self.now = (
            spec,
            source,
            origin,
            status,
            now,
        )
        self.index = load_index(spec, source, reuse_since)
        self.preloaded = load_existing(spec, source) if reuse_since is None else None
        self.refingerprinted: list[dict] = []  # rows whose only change is their fingerprint
        self.slugs = set(db.session.scalars(select(spec.model.__table__.c.slug)))
        self.next_number: dict[str, int] = {}  # base slug -> next suffix to try
        self.withdrawn_here = self._archived_by(origin)
        self.seen: set[str] = set()
        self.outcome = Outcome()
        self.describe: dict[str, Any] = {}  # link name -> function turning ids into words

    def _archived_by(self, origin: str) -> set[int]:
        """Return the archived rows whose last archiving was done by this source's imports.

        Only those come back when they reappear in the file; an entry staff archived by hand
        stays archived.
        """
        archived = [e.id for e in self.index.values() if e.status == Status.ARCHIVED.value]
        last: dict[int, str] = {}
        for start in range(0, len(archived), BATCH):
            stmt = (
                select(AuditEntry.entity_id, AuditEntry.origin)
                .where(
                    AuditEntry.entity_type == self.spec.entity,
                    AuditEntry.action == "archive",
                    AuditEntry.entity_id.in_(archived[start : start + BATCH]),
                )
                .order_by(AuditEntry.id)
            )
            last.update(db.session.execute(stmt).all())
        return {row_id for row_id, by in last.items() if by == origin}

    def is_unchanged(self, external_id: str, fingerprint: str) -> bool:
        """Tell whether a row may be skipped: same record as last time, nobody changed it.

        Rows with hand-edited fields are always compared, so that the kept edits are counted.
        """
        entry = self.index.get(external_id)
        return (
            entry is not None
            and entry.reusable
            and entry.fingerprint == fingerprint
            and not entry.edited
        )

    def keep(self, external_ids: list[str]) -> None:
        """Count skipped rows as unchanged (and as still in the file)."""
        self.seen.update(external_ids)
        self.outcome.unchanged += len(external_ids)

    def keep_rejected(self, external_ids: list[str]) -> None:
        """Keep the entries of rejected rows (still in the file), to be read in full next time.

        The entry keeps what an earlier import wrote. Its fingerprint is dropped: the same
        record may have been rejected for a reason outside it (a Lernort name that became
        ambiguous), and it must be rejected and reported again, not skipped.
        """
        self.seen.update(external_ids)
        for external_id in external_ids:
            entry = self.index.get(external_id)
            if entry is not None and entry.fingerprint is not None:
                self.refingerprinted.append({"_id": entry.id, "_fingerprint": None})

    def write(self, chunk: list[Planned], fingerprints: dict[str, str | None]) -> None:
        """Insert new rows and update changed ones of one chunk, with their fingerprints."""
        inserts, updates, audits = [], [], []
        stored = self.preloaded
        if stored is None:
            stored = load_rows(self.spec, self.index, [p.external_id for p in chunk])
        for planned in chunk:
            self.seen.add(planned.external_id)
            fingerprint = fingerprints.get(planned.external_id)
            old = stored.get(planned.external_id)
            if old is None:
                inserts.append((planned, fingerprint))
                continue
            stale = self.index[planned.external_id].fingerprint != fingerprint
            if self._unchanged(planned, old):
                self._unchanged_row(old.id, fingerprint, stale)
                continue
            values, links, changes = self._diff(planned, old)
            if not changes:
                self._unchanged_row(old.id, fingerprint, stale)
                continue
            if stale:
                values["import_fingerprint"] = fingerprint
            updates.append((old.id, values, links))
            action = "restore" if "status" in changes else "update"
            audits.append(self._audit(old.id, action, changes))
            self.outcome.changed_ids.append(old.id)
            if "geom" in values:
                self.outcome.moved_ids.append(old.id)
        if inserts:
            audits.extend(self._insert(inserts))
        self._update(updates)
        self._audits(audits)
        self._write_fingerprints()

    def _unchanged_row(self, row_id: int, fingerprint: str | None, stale: bool) -> None:
        """Count a compared row as unchanged; note its new fingerprint if it has one."""
        self.outcome.unchanged += 1
        if stale:
            self.refingerprinted.append({"_id": row_id, "_fingerprint": fingerprint})

    def _write_fingerprints(self) -> None:
        """Store the new fingerprints of unchanged rows, leaving `updated_at` as it is."""
        table = self.spec.model.__table__
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(import_fingerprint=bindparam("_fingerprint"), updated_at=table.c.updated_at)
        )
        rows = self.refingerprinted
        for start in range(0, len(rows), BATCH * 5):
            db.session.execute(stmt, rows[start : start + BATCH * 5])
        self.refingerprinted = []

    def _unchanged(self, planned: Planned, old: Existing) -> bool:
        """Tell quickly whether a row is exactly as stored (most rows of a refresh are)."""
        stored = old.values
        return (
            all(stored[name] == new for name, new in planned.values.items())
            and all(old.links[name] == new for name, new in planned.links.items())
            and (not self.spec.has_geom or _same_point(old.geom, planned.geom))
            and (old.status != Status.ARCHIVED.value or old.id not in self.withdrawn_here)
        )

    def _diff(self, planned: Planned, old: Existing) -> tuple[dict, dict, dict]:
        """Return the values and links to write and the changes to audit."""
        values, links, changes = {}, {}, {}
        for name, new in planned.values.items():
            if _same(old.values[name], new):
                continue
            if _protected(name, old.edited):
                self.outcome.kept_edits += 1
                continue
            values[name] = new
            changes[FIELD_OF.get(name, name)] = (old.values[name], new)
        if self.spec.has_geom and not _same_point(old.geom, planned.geom):
            if _protected("geom", old.edited):
                self.outcome.kept_edits += 1
            else:
                values["geom"] = ewkt(planned.geom)
                changes["geom"] = (_point_text(old.geom), _point_text(planned.geom))
                if planned.precision:
                    changes["geom_precision"] = (None, planned.precision)
        for name, new in planned.links.items():
            if old.links[name] == new:
                continue
            if _protected(name, old.edited):
                self.outcome.kept_edits += 1
                continue
            links[name] = new
            changes[name] = (self._words(name, old.links[name]), self._words(name, new))
        if old.status == Status.ARCHIVED.value and old.id in self.withdrawn_here:
            # Back in the source after an import had withdrawn it.
            values["status"] = self.status
            changes["status"] = (old.status, self.status)
        return values, links, changes

    def _words(self, name: str, rows: tuple) -> list:
        """Describe link rows for the audit trail (codes instead of ids where known)."""
        describe = self.describe.get(name)
        return describe(rows) if describe else [list(r) if len(r) > 1 else r[0] for r in rows]

    def _insert(self, new: list[tuple[Planned, str | None]]) -> list[dict]:
        """Insert new rows with their links and fingerprints; return their audit rows."""
        spec, table = self.spec, self.spec.model.__table__
        chunk = [planned for planned, _ in new]
        rows = []
        for planned, fingerprint in new:
            row = {name: spec.defaults.get(name) for name in spec.columns}
            row.update(planned.values)
            base = (
                planned.label
                if not planned.city or planned.city in planned.label
                else (f"{planned.label}-{planned.city}")
            )
            row.update(
                slug=self._slug(slugify(base)),
                status=self.status,
                source=self.source,
                external_id=planned.external_id,
                edited_fields=[],
                created_at=self.now,
                updated_at=self.now,
                import_fingerprint=fingerprint,
            )
            if spec.has_geom:
                row["geom"] = ewkt(planned.geom)
            rows.append(row)
        ids = insert_by_external_id(table, self.source, rows)
        self.outcome.new_ids.extend(ids)
        if spec.has_geom:
            self.outcome.moved_ids.extend(i for i, p in zip(ids, chunk, strict=True) if p.geom)
        for link in spec.links:
            owned = [(i, p.links.get(link.name, ())) for i, p in zip(ids, chunk, strict=True)]
            self._insert_links(link, owned)
        audits = []
        for row_id, planned in zip(ids, chunk, strict=True):
            changes = {"source": [None, self.source], "external_id": [None, planned.external_id]}
            if planned.precision:
                # Placed by the gazetteer: the audit trail says how exactly.
                changes["geom_precision"] = [None, planned.precision]
            audits.append(self._audit(row_id, "create", changes))
        return audits

    def _slug(self, base: str) -> str:
        """Return an unused slug: base, base-2, base-3 … (remembering where to go on)."""
        number = self.next_number.get(base, 1)
        slug = base if number == 1 else f"{base}-{number}"
        while slug in self.slugs:
            number += 1
            slug = f"{base}-{number}"
        self.next_number[base] = number + 1
        self.slugs.add(slug)
        return slug

    def _update(self, updates: list[tuple[int, dict, dict]]) -> None:
        """Write changed columns (grouped by which columns change) and replace changed links."""
        table = self.spec.model.__table__
        groups: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        for row_id, values, _ in updates:
            if values:
                groups[tuple(sorted(values))].append({"_id": row_id, **values})
        for names, params in groups.items():
            stmt = (
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values({**{n: bindparam(n) for n in names}, "updated_at": self.now})
            )
            db.session.execute(stmt, params)
        touched = [row_id for row_id, values, links in updates if links and not values]
        if touched:
            # Only links changed: the listing still changed, so updated_at moves too.
            stmt = update(table).where(table.c.id == bindparam("_id")).values(updated_at=self.now)
            db.session.execute(stmt, [{"_id": row_id} for row_id in touched])
        for link in self.spec.links:
            changed = [
                (row_id, links[link.name]) for row_id, _, links in updates if link.name in links
            ]
            if changed:
                owner = link.table.c[link.owner]
                ids = [row_id for row_id, _ in changed]
                for start in range(0, len(ids), BATCH):
                    db.session.execute(
                        delete(link.table).where(owner.in_(ids[start : start + BATCH]))
                    )
                self._insert_links(link, changed)

    def _insert_links(self, link: Link, owned: list[tuple[int, tuple]]) -> None:
        """Insert the link rows of listings."""
        rows = [
            {link.owner: row_id, **dict(zip(link.columns, values, strict=True))}
            for row_id, tuples in owned
            for values in tuples
        ]
        for start in range(0, len(rows), BATCH * 5):
            db.session.execute(insert(link.table), rows[start : start + BATCH * 5])

    def withdraw(self) -> None:
        """Archive the source's listings that the file no longer contains (never delete them)."""
        gone = [
            (ext, old)
            for ext, old in self.index.items()
            if ext not in self.seen and old.status != Status.ARCHIVED.value
        ]
        archived = [(old.id, ext, old.label, old.status) for ext, old in gone]
        table = self.spec.model.__table__
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(status=Status.ARCHIVED.value, updated_at=self.now)
        )
        if archived:
            db.session.execute(stmt, [{"_id": row_id} for row_id, *_ in archived])
        self._audits(
            [
                self._audit(row_id, "archive", {"status": (status, Status.ARCHIVED.value)})
                for row_id, _, _, status in archived
            ]
        )
        self.outcome.archived = [(row_id, ext, label) for row_id, ext, label, _ in archived]

    def _audit(self, row_id: int, action: str, changes: dict) -> dict:
        """Return one audit row."""
        return {
            "entity_type": self.spec.entity,
            "entity_id": row_id,
            "action": action,
            "origin": self.origin,
            "changes": {
                k: [plain_value(old), plain_value(new)] for k, (old, new) in changes.items()
            },
            "created_at": self.now,
        }

    def _audits(self, rows: list[dict]) -> None:
        """Insert audit rows in bulk."""
        for start in range(0, len(rows), BATCH * 5):
            db.session.execute(insert(AuditEntry), rows[start : start + BATCH * 5])


def _point_text(point: tuple[float, float] | None) -> str | None:
    """Describe a position for the audit trail."""
    return None if point is None else f"{point[0]:.6f} {point[1]:.6f}"
