"""Write audit entries: who changed which fields of which entry, old and new value."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ..extensions import db
from ..models import AuditEntry


def plain_value(value):
    """Turn a column value into something JSON can store."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [plain_value(v) for v in value]
    return value


def record_change(entity, action: str, changes: dict, origin: str, user=None) -> AuditEntry:
    """Add an audit entry for `entity` to the session (the caller commits)."""
    entry = AuditEntry(
        entity_type=entity.__tablename__.removesuffix("s"),
        entity_id=entity.id,
        action=action,
        origin=origin,
        user_id=getattr(user, "id", None),
        changes={k: [plain_value(old), plain_value(new)] for k, (old, new) in changes.items()},
    )
    db.session.add(entry)
    return entry
