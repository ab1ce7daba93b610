"""Staff edits of Träger (organizations): validate, write, audit, update the index."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Location, Offer, Organization, OrganizationKind
from . import validation as v
from .editing import STAFF, EditError, EditResult, Field, apply_values, audit, reindex_commit

FIELDS = {
    f.name: f
    for f in (
        *(Field(n, "text") for n in ("name", "kind", "description", "email", "phone")),
        Field("website", "text"),
        Field("active", "bool"),
    )
}


def validate(values: dict) -> dict[str, str]:
    """Return {field: message} for values that cannot be saved."""
    errors = {}
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = v.MESSAGES["required"]
    for name, check in (
        ("email", v.email_problem),
        ("phone", v.phone_problem),
        ("website", v.url_problem),
    ):
        problem = check(values.get(name))
        if problem:
            errors[name] = problem
    if values.get("kind") not in (None, "", *(k.value for k in OrganizationKind)):
        errors["kind"] = v.MESSAGES["choice"]
    return errors


def create_organization(values: dict, user=None, origin: str = STAFF) -> EditResult:
    """Create a Träger."""
    _check(values)
    organization = Organization()
    changes = apply_values(organization, FIELDS, {"active": True, **values}, {})
    db.session.add(organization)
    db.session.flush()
    audit(organization, "create", changes, origin, user)
    db.session.commit()
    return EditResult(organization, changes)


def update_organization(organization: Organization, values: dict, user=None, origin=STAFF):
    """Change a Träger; its Lernorte and Angebote show the new name in search at once."""
    _check(values)
    changes = apply_values(organization, FIELDS, values, {})
    result = EditResult(organization, changes)
    if not changes:
        return result
    action = "update"
    if "active" in changes:
        action = "restore" if changes["active"][1] else "archive"
    audit(organization, action, changes, origin, user)
    if "name" not in changes:
        db.session.commit()
        return result
    result.warnings.extend(
        reindex_commit(
            location_ids=list(
                db.session.scalars(
                    select(Location.id).where(Location.organization_id == organization.id)
                )
            ),
            offer_ids=list(
                db.session.scalars(select(Offer.id).where(Offer.organization_id == organization.id))
            ),
        )
    )
    return result


def set_active(organization: Organization, active: bool, user=None) -> EditResult:
    """Archive or restore a Träger (archived ones are not offered for new entries)."""
    return update_organization(organization, {"active": active}, user)


def _check(values: dict) -> None:
    """Raise EditError when values cannot be saved."""
    errors = validate(values)
    if errors:
        raise EditError(errors)
