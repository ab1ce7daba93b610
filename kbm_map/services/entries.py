"""Read a source's entries for an import: a short index of all, full rows only where needed.

A refresh that skips unchanged rows needs, for most entries, only their id, status, hand
edits, label and fingerprint; the stored values and links are read chunk by chunk, for the
rows that are compared (`load_rows`, with `stored.load_existing`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import String, and_, false, select, type_coerce

from ..extensions import db
from ..models import Status
from .stored import Existing, Spec, load_existing


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
    return load_existing(spec, ids=[index[e].id for e in external_ids if e in index])
