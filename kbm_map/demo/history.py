"""A made-up past for the demo listings: when each was created, archived and taken back.

So that the monitoring's comparison with a past date ("2025 against 2026") shows something
in the demo, entries get creation dates over the last three years, and some were archived
for a while. The history is written as the audit trail that staff edits would have left.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, update

from ..extensions import db
from ..models import AuditEntry, Location, Offer

ORIGIN = "demo"
YEARS = 3
BREAK_SHARE = 0.08  # entries that were archived for a while and then published again


def _moment(now: datetime, rng: random.Random, low_days: int, high_days: int) -> datetime:
    """Return a working-day morning between low and high days ago."""
    moment = now - timedelta(days=rng.randint(low_days, high_days))
    return moment.replace(hour=rng.randint(8, 16), minute=rng.choice((0, 15, 30, 45)))


def _history(entity: str, entity_id: int, status: str, now: datetime, rng: random.Random):
    """Return (created_at, audit rows) of one entry with its present status."""
    created = _moment(now, rng, 20, 365 * YEARS)
    rows = [(created, "create", {"status": [None, "published"]})]
    age = (now - created).days
    if status == "published" and age > 120 and rng.random() < BREAK_SHARE:
        archived = _moment(now, rng, 60, age - 30)
        restored = archived + timedelta(days=rng.randint(20, max(21, (now - archived).days - 10)))
        rows.append((archived, "archive", {"status": ["published", "archived"]}))
        rows.append((restored, "restore", {"status": ["archived", "draft"]}))
        rows.append((restored + timedelta(hours=1), "update", {"status": ["draft", "published"]}))
    elif status == "archived":
        archived = _moment(now, rng, 1, max(2, age - 1))
        rows.append((archived, "archive", {"status": ["published", "archived"]}))
    elif status == "draft":
        rows[0] = (created, "create", {"status": [None, "draft"]})
    audits = [
        {
            "entity_type": entity,
            "entity_id": entity_id,
            "action": action,
            "origin": ORIGIN,
            "changes": changes,
            "created_at": moment,
        }
        for moment, action, changes in rows
    ]
    return created, audits


def write_history(
    locations: list[tuple[int, str]], offers: list[tuple[int, str]], seed: int, now: datetime
) -> int:
    """Backdate the demo entries (id, status) and write their audit trail; return its size."""
    rng = random.Random(seed * 7 + 1)
    audits: list[dict] = []
    for model, entity, entries in ((Location, "location", locations), (Offer, "offer", offers)):
        stamps = []
        for entity_id, status in entries:
            created, rows = _history(entity, entity_id, status, now, rng)
            stamps.append({"row_id": entity_id, "created": created})
            audits.extend(rows)
        table = model.__table__
        stmt = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(created_at=bindparam("created"))
        )
        for start in range(0, len(stamps), 5_000):
            db.session.execute(stmt, stamps[start : start + 5_000])
    for start in range(0, len(audits), 5_000):
        db.session.execute(insert(AuditEntry), audits[start : start + 5_000])
    return len(audits)
