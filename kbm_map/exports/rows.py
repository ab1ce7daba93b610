"""Read published Lernorte and Angebote as plain rows (dicts) for the export formats.

The column names are the field names of the import mappings, so that an export read back
with geodata/mappings/kbm-export-*.toml gives the same entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import select

from ..extensions import db
from ..models import Location, Offer, OfferSession, Organization, Region, Status, Term
from ..models.offer import offer_locations
from ..models.taxonomy import location_areas, offer_areas, offer_target_groups, offer_topics

LOCATION_COLUMNS = (
    *("id", "name", "kind", "areas", "organization", "street", "house_number", "postcode"),
    *("city", "lon", "lat", "region", "phone", "email", "website", "description"),
    *("opening_hours", "opening_hours_note", "languages", "step_free", "accessible_toilet"),
    *("parking", "induction_loop", "sign_language", "accessibility_note", "checked_at"),
    *("updated_at", "source", "external_id"),
)
OFFER_COLUMNS = (
    *("id", "title", "offer_type", "description", "locations", "online", "areas", "topics"),
    *("target_groups", "min_age", "max_age", "languages", "cost", "cost_note", "funding"),
    *("registration_url", "registration_phone", "registration_email", "sessions"),
    *("recurrence", "schedule_note", "valid_from", "valid_until", "organization"),
    *("checked_at", "updated_at", "source", "external_id"),
)
_COPIED = (
    *("name", "street", "house_number", "postcode", "city", "phone", "email", "website"),
    *("description", "opening_hours", "opening_hours_note", "languages", "step_free"),
    *("accessible_toilet", "parking", "induction_loop", "sign_language", "accessibility_note"),
    *("checked_at", "updated_at", "source", "external_id"),
)
_OFFER_COPIED = (
    *("title", "offer_type", "description", "online", "min_age", "max_age", "languages"),
    *("funding", "registration_url", "registration_phone", "registration_email", "recurrence"),
    *("schedule_note", "valid_from", "valid_until", "checked_at", "updated_at", "source"),
    "external_id",
)
_BATCH = 2_000


def _codes(table, owner: str, ids: Iterable[int]) -> dict[int, list[str]]:
    """Return {listing id: [term code, …]} in taxonomy order."""
    found: dict[int, list[str]] = defaultdict(list)
    ids = list(ids)
    for start in range(0, len(ids), _BATCH):
        stmt = (
            select(table.c[owner], Term.code)
            .join(Term, Term.id == table.c.term_id)
            .where(table.c[owner].in_(ids[start : start + _BATCH]))
            .order_by(table.c[owner], Term.position, Term.code)
        )
        for owner_id, code in db.session.execute(stmt):
            found[owner_id].append(code)
    return found


def _organizations() -> dict[int, str]:
    """Return {organization id: name}."""
    return dict(db.session.execute(select(Organization.id, Organization.name)).all())


def location_rows(source: str | None = None) -> list[dict]:
    """Return the published Lernorte as rows, ordered by id."""
    table = Location.__table__
    kinds = dict(db.session.execute(select(Term.id, Term.labels)).all())
    regions = dict(db.session.execute(select(Region.id, Region.code)).all())
    organizations = _organizations()
    stmt = (
        select(table, ST_X(table.c.geom).label("lon"), ST_Y(table.c.geom).label("lat"))
        .where(table.c.status == Status.PUBLISHED.value)
        .order_by(table.c.id)
    )
    if source is not None:
        stmt = stmt.where(table.c.source == source)
    rows = []
    for found in db.session.execute(stmt).mappings():
        row = {"id": found["slug"], **{name: found[name] for name in _COPIED}}
        labels = kinds.get(found["kind_id"]) or {}
        row.update(
            kind=labels.get("de"),
            organization=organizations.get(found["organization_id"]),
            lon=found["lon"],
            lat=found["lat"],
            region=regions.get(found["region_id"]),
            _id=found["id"],
        )
        rows.append(row)
    areas = _codes(location_areas, "location_id", (r["_id"] for r in rows))
    for row in rows:
        row["areas"] = areas.get(row["_id"], [])
    return rows


def offer_rows(places: dict[int, str], source: str | None = None) -> list[dict]:
    """Return the published Angebote as rows; `places` maps exported Lernort ids to their ids."""
    table = Offer.__table__
    organizations = _organizations()
    stmt = select(table).where(table.c.status == Status.PUBLISHED.value).order_by(table.c.id)
    if source is not None:
        stmt = stmt.where(table.c.source == source)
    rows = []
    for found in db.session.execute(stmt).mappings():
        row = {"id": found["slug"], **{name: found[name] for name in _OFFER_COPIED}}
        row.update(
            organization=organizations.get(found["organization_id"]),
            _id=found["id"],
            **_cost(found["cost_kind"], found["cost_amount"], found["cost_note"]),
        )
        rows.append(row)
    ids = [r["_id"] for r in rows]
    links = _links(ids)
    sessions = _sessions(ids)
    terms = {
        name: _codes(table_, "offer_id", ids)
        for name, table_ in (
            ("areas", offer_areas),
            ("topics", offer_topics),
            ("target_groups", offer_target_groups),
        )
    }
    for row in rows:
        # Links to Lernorte that are not exported (drafts, archived) are left out.
        row["locations"] = [places[i] for i in links.get(row["_id"], []) if i in places]
        row["_location_ids"] = [i for i in links.get(row["_id"], []) if i in places]
        row["sessions"] = sessions.get(row["_id"], [])
        for name, codes in terms.items():
            row[name] = codes.get(row["_id"], [])
    return rows


def _cost(kind: str, amount, note: str | None) -> dict:
    """Write the cost as the import reads it: 'free', an amount, or the text."""
    if kind == "free":
        return {"cost": "free", "cost_note": note}
    if kind == "amount" and amount is not None:
        return {"cost": f"{amount:.2f}", "cost_note": note}
    if kind == "text":
        return {"cost": note, "cost_note": None}
    return {"cost": None, "cost_note": note}


def _links(ids: list[int]) -> dict[int, list[int]]:
    """Return {offer id: [location id, …]}."""
    found: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(ids), _BATCH):
        stmt = (
            select(offer_locations.c.offer_id, offer_locations.c.location_id)
            .where(offer_locations.c.offer_id.in_(ids[start : start + _BATCH]))
            .order_by(offer_locations.c.offer_id, offer_locations.c.location_id)
        )
        for offer_id, location_id in db.session.execute(stmt):
            found[offer_id].append(location_id)
    return found


def _sessions(ids: list[int]) -> dict[int, list[str]]:
    """Return {offer id: ['start/end' in ISO 8601, …]} in time order."""
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), _BATCH):
        stmt = (
            select(OfferSession.offer_id, OfferSession.starts_at, OfferSession.ends_at)
            .where(OfferSession.offer_id.in_(ids[start : start + _BATCH]))
            .order_by(OfferSession.offer_id, OfferSession.starts_at, OfferSession.id)
        )
        for offer_id, begins, ends in db.session.execute(stmt):
            found[offer_id].append(
                f"{begins.isoformat()}/{ends.isoformat()}" if ends else begins.isoformat()
            )
    return found
