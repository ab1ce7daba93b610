"""Shared machinery of staff edits: field access, diff, audit, edited_fields, search index.

Values are handled in the form the audit trail stores them in, with the same field names the
import uses (`kind`, `organization`, `geom`, `areas` …), so that history, restore and the
import's protection of hand-edited fields (`edited_fields`) all speak one language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select

from ..errors import KbmMapError
from ..extensions import db
from ..models import Location, Offer, OfferSession, Term
from ..text import slugify, unique_slug
from .audit import plain_value, record_change

STAFF = "staff"


class EditError(KbmMapError):
    """Input that cannot be saved; `errors` maps field names to messages for the form."""

    def __init__(self, errors: dict[str, Any]):
        self.errors = {name: str(message) for name, message in errors.items()}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass
class EditResult:
    """What an edit changed and what staff should look at."""

    entity: Any
    changes: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Field:
    """One editable field: how to read it, write it and turn audit values back into it."""

    name: str
    kind: str  # text int bool date decimal list json fk terms geom locations sessions
    column: str = ""  # attribute behind it when the name differs (kind -> kind_id)

    @property
    def attribute(self) -> str:
        """Return the model attribute that holds the value."""
        return self.column or self.name


def position_of(entity) -> tuple[float, float] | None:
    """Return the (lon, lat) of an entity's geometry, or None."""
    geom = entity.geom
    if geom is None:
        return None
    if isinstance(geom, str):  # set in this session as EWKT, not reloaded yet
        lon, lat = geom.split("(")[1].rstrip(")").split()
        return float(lon), float(lat)
    shape = to_shape(geom)
    return shape.x, shape.y


def read(entity, spec: Field) -> Any:
    """Return the field's value as the audit trail stores it."""
    if spec.kind == "terms":
        return sorted(term.code for term in getattr(entity, spec.attribute))
    if spec.kind == "geom":
        point = position_of(entity)
        return None if point is None else f"{point[0]:.6f} {point[1]:.6f}"
    if spec.kind == "locations":
        return sorted(loc.id for loc in entity.locations)
    if spec.kind == "sessions":
        return [
            "/".join(v.isoformat() for v in (s.starts_at, s.ends_at) if v is not None)
            for s in entity.sessions
        ]
    value = getattr(entity, spec.attribute)
    if spec.kind == "list":
        return list(value or [])
    return plain_value(value)


def parse(spec: Field, value: Any) -> Any:
    """Turn an audit value (or form value) into the plain form `read` returns."""
    if value in (None, ""):
        return [] if spec.kind in ("list", "terms", "locations", "sessions") else None
    if spec.kind == "date" and isinstance(value, date):
        return value.isoformat()
    if spec.kind == "decimal":
        try:
            return str(Decimal(str(value)).quantize(Decimal("0.01")))
        except InvalidOperation:
            return None
    if spec.kind == "geom" and isinstance(value, list | tuple):
        return f"{float(value[0]):.6f} {float(value[1]):.6f}"
    if spec.kind in ("terms", "list"):
        return sorted(value) if spec.kind == "terms" else list(value)
    if spec.kind == "locations":
        return sorted(int(v) for v in value)
    if spec.kind == "sessions":
        return [_session_text(s) for s in value]
    if spec.kind in ("fk", "int"):
        return int(value)
    if spec.kind == "text":
        return str(value).strip() or None
    return value


def _session_text(session) -> str:
    """Return a session as 'start/end' ISO text (the audit form)."""
    if isinstance(session, str):
        return session
    return "/".join(v.isoformat() for v in session if v is not None)


def write(entity, spec: Field, value: Any, vocabulary: str | None = None) -> None:
    """Set the field from its audit-form value."""
    if spec.kind == "terms":
        terms = db.session.scalars(
            select(Term).where(Term.vocabulary == vocabulary, Term.code.in_(value or []))
        )
        setattr(entity, spec.attribute, list(terms))
    elif spec.kind == "geom":
        if value is None:
            entity.geom = None
        else:
            lon, lat = value.split()
            entity.geom = f"SRID=4326;POINT({float(lon)!r} {float(lat)!r})"
    elif spec.kind == "locations":
        ids = value or []
        entity.locations = list(db.session.scalars(select(Location).where(Location.id.in_(ids))))
    elif spec.kind == "sessions":
        entity.sessions = [_session(text) for text in value or []]
    elif spec.kind == "date":
        setattr(entity, spec.attribute, date.fromisoformat(value) if value else None)
    elif spec.kind == "decimal":
        setattr(entity, spec.attribute, Decimal(value) if value is not None else None)
    else:
        setattr(entity, spec.attribute, value)


def _session(text: str) -> OfferSession:
    """Build an OfferSession from 'start/end' ISO text."""
    parts = [datetime.fromisoformat(p) for p in text.split("/")]
    return OfferSession(starts_at=parts[0], ends_at=parts[1] if len(parts) > 1 else None)


def apply_values(
    entity,
    fields: dict[str, Field],
    values: dict[str, Any],
    vocabularies: dict[str, str],
) -> dict[str, tuple]:
    """Write the given values that differ from the entity's; return {field: (old, new)}."""
    changes = {}
    for name, raw in values.items():
        spec = fields.get(name)
        if spec is None:
            continue
        new = parse(spec, raw)
        old = read(entity, spec)
        if old == new:
            continue
        write(entity, spec, new, vocabularies.get(name))
        changes[name] = (old, new)
    return changes


def mark_edited(entity, names: Iterable[str]) -> None:
    """Remember that staff set these fields by hand, so imports leave them alone."""
    if not hasattr(entity, "edited_fields"):
        return
    protected = {"status", "region"}  # workflow and derived fields are not import data
    edited = set(entity.edited_fields or ()) | {n for n in names if n not in protected}
    entity.edited_fields = sorted(edited)


def status_action(changes: dict) -> str:
    """Name the audit action of an edit: archive, restore (out of the archive) or update."""
    old, new = changes.get("status", (None, None))
    if new == "archived":
        return "archive"
    return "restore" if old == "archived" else "update"


def audit(entity, action: str, changes: dict, origin: str, user) -> None:
    """Write the audit entry of an edit (the caller commits)."""
    if changes or action != "update":
        record_change(entity, action, changes, origin=origin, user=user)


def new_slug(model, text: str) -> str:
    """Return a slug for a new entry that no other entry of the model has."""
    base = slugify(text)
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    return unique_slug(base, taken)


def reindex_commit(location_ids: Iterable[int] = (), offer_ids: Iterable[int] = ()) -> list[str]:
    """Commit the session with the search index updated; return a warning if it lags."""
    from .indexing import commit_and_reindex

    if commit_and_reindex(location_ids=location_ids, offer_ids=offer_ids) is None:
        return []
    from flask_babel import gettext as _

    return [_("Gespeichert, aber der Suchindex wurde nicht aktualisiert: kbm-map reindex.")]


def commit_and_index(entities: Iterable, warnings: list[str]) -> None:
    """Commit the session and bring the search index up to date for the entities."""
    entities = list(entities)
    db.session.flush()
    warnings.extend(
        reindex_commit(
            location_ids=[e.id for e in entities if isinstance(e, Location)],
            offer_ids=[e.id for e in entities if isinstance(e, Offer)],
        )
    )
