"""Read a source's entries for an import: a short index of all, full rows only where needed.

A refresh that skips unchanged rows needs, for most entries, only their id, status, hand
edits, label and fingerprint; the stored values and links (what `stored.load_existing`
reads for a whole source) are read chunk by chunk for the rows that are compared.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import DateTime, String, and_, false, select, type_coerce

from ..extensions import db
from ..models import Status
from .stored import BATCH, Existing, Link, Spec


class Entry(NamedTuple):
    """What an import needs to know of every entry of its source."""

    id: int
    status: str
    edited: frozenset[str]
    label: str
    fingerprint: str | None  # of the record it was last imported from
    reusable: bool  # fingerprint still valid: nobody changed the entry since


def load_index(spec: Spec, source: str, since: datetime | None) -> dict[str, Entry]:
    """Return {external id: Entry} for a source's entries.

    An entry's fingerprint is reusable if it was written at or before `since` (the start of
    the source's last successful run, whose context is unchanged), nobody has changed the
    entry since, and it is not archived (a withdrawn entry comes back when it reappears).
    """
    table = spec.model.__table__
    untouched = (
        and_(table.c.status != Status.ARCHIVED.value, table.c.updated_at <= since)
        if since is not None
        else false()
    )
    stmt = select(
        table.c.external_id,
        table.c.id,
        table.c.status,
        type_coerce(table.c.edited_fields, String),  # JSON text on SQLite: parsed if not '[]'
        table.c[spec.label],
        table.c.import_fingerprint,
        untouched,
    ).where(table.c.source == source)
    return {
        external_id: Entry(
            row_id, status, _edited(edited), label, fingerprint, bool(fresh and fingerprint)
        )
        for external_id, row_id, status, edited, label, fingerprint, fresh in db.session.execute(
            stmt
        ).all()
    }


def _edited(value: str | list | None) -> frozenset[str]:
    """Return the hand-edited fields from the column as read (text, or a list on PostgreSQL)."""
    if value is None or value == "[]":
        return frozenset()
    return frozenset(json.loads(value) if isinstance(value, str) else value)


def load_rows(spec: Spec, index: dict[str, Entry], external_ids: list[str]) -> dict[str, Existing]:
    """Read the stored columns, position and links of some entries of the index."""
    table = spec.model.__table__
    ids = {index[e].id: e for e in external_ids if e in index}
    if not ids:
        return {}
    columns = [table.c[name] for name in spec.columns]
    geom = [ST_X(table.c.geom), ST_Y(table.c.geom)] if spec.has_geom else []
    found = {}
    for batch in _batches(list(ids)):
        stmt = select(table.c.id, *columns, *geom).where(table.c.id.in_(batch))
        found.update((row[0], row[1:]) for row in db.session.execute(stmt).all())
    links = {link: _links(link, list(ids)) for link in spec.links}
    width = len(columns)
    existing = {}
    for row_id, row in found.items():
        entry = index[ids[row_id]]
        point = None
        if spec.has_geom and row[width] is not None:
            point = (row[width], row[width + 1])
        existing[ids[row_id]] = Existing(
            id=row_id,
            status=entry.status,
            edited=entry.edited,
            label=entry.label,
            values=dict(zip(spec.columns, row[:width], strict=True)),
            geom=point,
            links={link.name: link.sorted(rows.get(row_id, ())) for link, rows in links.items()},
        )
    return existing


def _links(link: Link, owner_ids: list[int]) -> dict[int, list[tuple]]:
    """Return {listing id: [row tuple, …]} of one link table for some listings."""
    table = link.table
    owner = table.c[link.owner]
    times = [isinstance(table.c[c].type, DateTime) for c in link.columns]
    as_text = db.engine.dialect.name == "sqlite" and any(times)
    # SQLite's datetime text is parsed with fromisoformat (in C), several times faster than
    # SQLAlchemy's regular expression (see stored.py).
    columns = [
        type_coerce(table.c[c], String) if as_text and is_time else table.c[c]
        for c, is_time in zip(link.columns, times, strict=True)
    ]
    found: dict[int, list[tuple]] = defaultdict(list)
    for batch in _batches(owner_ids):
        for row in db.session.execute(select(owner, *columns).where(owner.in_(batch))).all():
            values = row[1:]
            if as_text:
                values = [
                    datetime.fromisoformat(v) if is_time and v is not None else v
                    for v, is_time in zip(values, times, strict=True)
                ]
            found[row[0]].append(tuple(values))
    return found


def _batches(ids: list[int]) -> list[list[int]]:
    """Split ids into lists short enough for one IN (…)."""
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
