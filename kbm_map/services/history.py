"""The audit trail of one entry and the restore of an earlier version."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import KbmMapError
from ..extensions import db
from ..models import AuditEntry, Location, Offer, Organization
from . import locations, offers, organizations

# Restoring a version brings back its content; publication and review stay as they are now.
NOT_RESTORED = frozenset({"status", "checked_at", "region", "active"})
MODELS = {"location": Location, "offer": Offer, "organization": Organization}


class RestoreError(KbmMapError):
    """A version cannot be restored (it belongs to another entry, or nothing differs)."""


def history(entity_type: str, entity_id: int) -> list[AuditEntry]:
    """Return the audit entries of an entry, newest first."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    return list(db.session.scalars(stmt))


def version_values(entity_type: str, entity_id: int, entry_id: int) -> dict:
    """Return the field values that differ now from how they were right after `entry_id`."""
    entries = list(reversed(history(entity_type, entity_id)))
    position = next((i for i, e in enumerate(entries) if e.id == entry_id), None)
    if position is None:
        raise RestoreError(f"audit entry {entry_id} does not belong to {entity_type} {entity_id}")
    values: dict = {}
    for later in entries[position + 1 :]:
        for name, (old, _new) in (later.changes or {}).items():
            if name not in values and name not in NOT_RESTORED:
                values[name] = old
    return values


def restore_version(entity, entry_id: int, user=None):
    """Bring an entry back to how it was right after an audit entry, through the edit path."""
    entity_type = entity.__tablename__.removesuffix("s")
    values = version_values(entity_type, entity.id, entry_id)
    update = {
        "location": (locations.update_location, locations.FIELDS),
        "offer": (offers.update_offer, offers.FIELDS),
        "organization": (organizations.update_organization, organizations.FIELDS),
    }[entity_type]
    values = {name: value for name, value in values.items() if name in update[1]}
    return update[0](entity, _typed(values), user, origin=f"revert:{entry_id}")


def _typed(values: dict) -> dict:
    """Turn audit values (text) back into what the edit services validate."""
    if isinstance(values.get("geom"), str):
        values["geom"] = tuple(float(part) for part in values["geom"].split())
    for name in ("valid_from", "valid_until"):
        if isinstance(values.get(name), str):
            values[name] = date.fromisoformat(values[name])
    if values.get("cost_amount") is not None:
        values["cost_amount"] = Decimal(str(values["cost_amount"]))
    return values
