"""Staff edits of Lernorte: validate, write, audit, protect from imports, update the index."""

from __future__ import annotations

from difflib import SequenceMatcher

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..geo.spatial import region_at, within_radius
from ..models import Location, Region, Status, Vocabulary
from . import validation as v
from .editing import (
    STAFF,
    EditError,
    EditResult,
    Field,
    apply_values,
    audit,
    commit_and_index,
    mark_edited,
    new_slug,
    position_of,
    status_action,
)

FIELDS = {
    f.name: f
    for f in (
        *(Field(n, "text") for n in ("name", "description", "street", "house_number")),
        *(Field(n, "text") for n in ("postcode", "city", "email", "phone", "website")),
        *(Field(n, "text") for n in ("opening_hours", "opening_hours_note")),
        *(Field(n, "text") for n in ("accessibility_note", "status")),
        *(Field(n, "bool") for n in ("step_free", "accessible_toilet", "parking")),
        *(Field(n, "bool") for n in ("induction_loop", "sign_language")),
        Field("languages", "list"),
        Field("kind", "fk", "kind_id"),
        Field("organization", "fk", "organization_id"),
        Field("areas", "terms"),
        Field("geom", "geom"),
    )
}
VOCABULARIES = {"areas": Vocabulary.AREA.value}
DUPLICATE_RADIUS_M = 100
DUPLICATE_SIMILARITY = 0.8


def validate(values: dict) -> dict[str, str]:
    """Return {field: message} for values that cannot be saved."""
    errors = {}
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = v.MESSAGES["required"]
    checks = {
        "email": v.email_problem,
        "website": v.url_problem,
        "phone": v.phone_problem,
        "postcode": v.postcode_problem,
        "opening_hours": v.opening_hours_problem,
    }
    for name, check in checks.items():
        problem = check(values.get(name))
        if problem:
            errors[name] = problem
    if values.get("status") not in (None, *(s.value for s in Status)):
        errors["status"] = v.MESSAGES["choice"]
    geom = values.get("geom")
    if geom:
        lon, lat = geom
        if not -180 <= lon <= 180:
            errors["lon"] = v.MESSAGES["lon"]
        if not -90 <= lat <= 90:
            errors["lat"] = v.MESSAGES["lat"]
    return errors


def create_location(values: dict, user=None, origin: str = STAFF) -> EditResult:
    """Create a Lernort (a draft unless a status is given)."""
    _check(values)
    location = Location(slug=new_slug(Location, values["name"]), languages=[], edited_fields=[])
    values = {"status": Status.DRAFT.value, **values}
    changes = apply_values(location, FIELDS, values, VOCABULARIES)
    db.session.add(location)
    changes.update(_assign_region(location))
    db.session.flush()
    audit(location, "create", changes, origin, user)
    mark_edited(location, changes)
    return _finish(location, changes)


def update_location(location: Location, values: dict, user=None, origin: str = STAFF):
    """Change a Lernort's fields; fields changed by hand are kept by later imports."""
    return _finish(location, _apply(location, values, user, origin))


def _apply(location: Location, values: dict, user, origin: str) -> dict:
    """Validate and write values, audit them; the caller commits."""
    _check(values)
    changes = apply_values(location, FIELDS, values, VOCABULARIES)
    if "geom" in changes:
        changes.update(_assign_region(location))
    if changes:
        audit(location, status_action(changes), changes, origin, user)
        mark_edited(location, changes)
    return changes


def bulk_set_status(entries: list[Location], status: str, user=None) -> int:
    """Give many Lernorte one status with one commit and one index update."""
    changed = [e for e in entries if _apply(e, {"status": status}, user, STAFF)]
    commit_and_index(entries, [])
    return len(changed)


def _check(values: dict) -> None:
    """Raise EditError when values cannot be saved."""
    errors = validate(values)
    if errors:
        raise EditError(errors)


def _assign_region(location: Location) -> dict:
    """Put the Lernort into the region that contains its position; return the change."""
    old = location.region_id
    new = None
    if location.geom is not None:
        db.session.flush()
        lon, lat = _lon_lat(location)
        region = region_at(db.session, Region, lon, lat)
        new = region.id if region else None
    location.region_id = new
    return {} if old == new else {"region": (old, new)}


def _lon_lat(location: Location) -> tuple[float, float]:
    """Return the position of a Lernort as (lon, lat)."""
    return position_of(location)


def _finish(location: Location, changes: dict) -> EditResult:
    """Commit, update the index and collect warnings about the position."""
    result = EditResult(location, changes)
    commit_and_index([location], result.warnings)
    result.warnings.extend(position_warnings(location))
    return result


def position_warnings(location: Location) -> list[str]:
    """Warn about a position outside the region, in no Gemeinde, or next to a look-alike."""
    if location.geom is None:
        return []
    lon, lat = _lon_lat(location)
    warnings = []
    west, south, east, north = current_app.config["REGION_BBOX"]
    if not (west <= lon <= east and south <= lat <= north):
        warnings.append(_("Die Position liegt außerhalb des Gebiets dieser Bildungslandkarte."))
    elif location.region_id is None and _has_region_polygons():
        warnings.append(_("Die Position liegt in keiner Gemeinde des Gebiets."))
    for other in nearby_lookalikes(location, lon, lat):
        warnings.append(
            _("Möglicherweise doppelt: „%(name)s“ (Nr. %(id)s) liegt weniger als %(m)s m entfernt.")
            % {"name": other.name, "id": other.id, "m": DUPLICATE_RADIUS_M}
        )
    return warnings


def _has_region_polygons() -> bool:
    """Tell whether any region has an outline to test positions against."""
    stmt = select(func.count()).select_from(Region).where(Region.geom.isnot(None))
    return bool(db.session.scalar(stmt))


def nearby_lookalikes(location: Location, lon: float, lat: float) -> list[Location]:
    """Return other non-archived Lernorte close by with a similar name."""
    stmt = select(Location).where(
        within_radius(Location.geom, lon, lat, DUPLICATE_RADIUS_M),
        Location.id != location.id,
        Location.status != Status.ARCHIVED.value,
    )
    return [other for other in db.session.scalars(stmt) if similar_names(other.name, location.name)]


def similar_names(a: str, b: str) -> bool:
    """Tell whether two names probably mean the same place."""
    a, b = sorted((a.casefold().strip(), b.casefold().strip()), key=len)
    if a == b or (len(a) >= 8 and a in b):  # "Stadtbibliothek" in "Stadtbibliothek (Zweigstelle)"
        return True
    return SequenceMatcher(None, a, b).ratio() >= DUPLICATE_SIMILARITY


def set_status(location: Location, status: str, user=None, origin: str = STAFF) -> EditResult:
    """Publish, archive or restore a Lernort (restore makes it a draft to be checked again)."""
    return update_location(location, {"status": status}, user, origin)
