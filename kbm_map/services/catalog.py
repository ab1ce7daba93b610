"""Staff edits of taxonomy terms and regions (Gemeinden): validate, write, audit."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ..extensions import db
from ..models import Region, Term, Vocabulary
from . import validation as v
from .editing import STAFF, EditError, EditResult, Field, apply_values, audit, reindex_commit

TERM_FIELDS = {
    f.name: f for f in (Field("labels", "json"), Field("position", "int"), Field("active", "bool"))
}
REGION_FIELDS = {
    f.name: f
    for f in (
        Field("code", "text"),
        Field("name", "text"),
        Field("kind", "text"),
        Field("population", "int"),
        Field("active", "bool"),
    )
}
CODE = re.compile(r"^[a-z0-9_]{2,64}$")
AGS = re.compile(r"^[0-9]{8,12}$")


def _labels(values: dict) -> dict[str, str]:
    """Keep the non-empty labels."""
    return {lang: text.strip() for lang, text in (values.get("labels") or {}).items() if text}


def create_term(vocabulary: str, values: dict, user=None) -> EditResult:
    """Add a term to a taxonomy; its code never changes afterwards."""
    code = (values.get("code") or "").strip()
    errors = {}
    if vocabulary not in {voc.value for voc in Vocabulary}:
        errors["vocabulary"] = v.MESSAGES["choice"]
    if not CODE.match(code):
        errors["code"] = v.MESSAGES["code"]
    elif db.session.scalar(
        select(func.count())
        .select_from(Term)
        .where(Term.vocabulary == vocabulary, Term.code == code)
    ):
        errors["code"] = v.MESSAGES["code_taken"]
    labels = _labels(values)
    if not labels.get("de"):
        errors["label_de"] = v.MESSAGES["required"]
    if errors:
        raise EditError(errors)
    term = Term(vocabulary=vocabulary, code=code, labels=labels, active=True)
    term.position = values.get("position") or 0
    db.session.add(term)
    db.session.flush()
    audit(term, "create", {"code": (None, code), "labels": (None, labels)}, STAFF, user)
    db.session.commit()
    return EditResult(term, {"code": (None, code)})


def update_term(term: Term, values: dict, user=None) -> EditResult:
    """Change a term's labels, position or whether it is offered."""
    values = dict(values)
    if "labels" in values:
        values["labels"] = _labels(values)
        if not values["labels"].get("de"):
            raise EditError({"label_de": v.MESSAGES["required"]})
    changes = apply_values(term, TERM_FIELDS, values, {})
    result = EditResult(term, changes)
    if changes:
        action = "update"
        if "active" in changes:
            action = "restore" if changes["active"][1] else "archive"
        audit(term, action, changes, STAFF, user)
        if "labels" in changes:
            result.warnings.extend(reindex_commit(**_showing_term(term)))
        else:
            db.session.commit()
    return result


def _showing_term(term: Term) -> dict[str, list[int]]:
    """Return the ids of the entries that show the term's label in search."""
    from ..models import Location
    from ..models.taxonomy import offer_topics

    if term.vocabulary == Vocabulary.LOCATION_KIND.value:
        ids = db.session.scalars(select(Location.id).where(Location.kind_id == term.id))
        return {"location_ids": list(ids)}
    if term.vocabulary == Vocabulary.TOPIC.value:
        stmt = select(offer_topics.c.offer_id).where(offer_topics.c.term_id == term.id)
        return {"offer_ids": list(db.session.scalars(stmt))}
    return {}


def validate_region(values: dict, region: Region | None = None) -> dict[str, str]:
    """Return {field: message} for region values that cannot be saved."""
    errors = {}
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = v.MESSAGES["required"]
    code = values.get("code")
    if code is not None and not AGS.match(code):
        errors["code"] = v.MESSAGES["region_code"]
    elif code is not None and (region is None or region.code != code):
        taken = select(func.count()).select_from(Region).where(Region.code == code)
        if db.session.scalar(taken):
            errors["code"] = v.MESSAGES["code_taken"]
    population = values.get("population")
    if population is not None and population < 0:
        errors["population"] = v.MESSAGES["amount"]
    return errors


def create_region(values: dict, user=None) -> EditResult:
    """Add a region; its outline comes from an import of the official boundaries."""
    errors = validate_region({"name": values.get("name"), **values})
    if errors:
        raise EditError(errors)
    region = Region()
    changes = apply_values(region, REGION_FIELDS, {"active": True, **values}, {})
    db.session.add(region)
    db.session.flush()
    audit(region, "create", changes, STAFF, user)
    db.session.commit()
    return EditResult(region, changes)


def update_region(region: Region, values: dict, user=None) -> EditResult:
    """Change a region's name, key, kind, population or whether it is offered."""
    errors = validate_region(values, region)
    if errors:
        raise EditError(errors)
    changes = apply_values(region, REGION_FIELDS, values, {})
    result = EditResult(region, changes)
    if changes:
        action = "update"
        if "active" in changes:
            action = "restore" if changes["active"][1] else "archive"
        audit(region, action, changes, STAFF, user)
        if "code" in changes:  # the search filters Gemeinden by code: its entries move
            from ..models import Location

            ids = db.session.scalars(select(Location.id).where(Location.region_id == region.id))
            result.warnings.extend(reindex_commit(location_ids=list(ids)))
        else:
            db.session.commit()
    return result
