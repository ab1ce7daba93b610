"""Load a generated demo region into the database in bulk, replacing an earlier demo."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete, insert, select

from ..extensions import db
from ..models import (
    AuditEntry,
    Location,
    Offer,
    OfferSession,
    Organization,
    Region,
    Vocabulary,
    utcnow,
)
from ..models.offer import offer_locations
from ..models.taxonomy import location_areas, offer_areas, offer_target_groups, offer_topics
from ..services.taxonomy import kind_areas, seed_terms, terms_by_code
from .generator import DemoRegion, generate
from .history import write_history
from .population import write_population
from .vocabulary import DISTRICT_AGS, REGION_NAME

SOURCE = "demo"
CHUNK = 5_000


def _chunks(rows: list, size: int = CHUNK):
    """Yield slices of at most `size` rows (keeps statements and memory small)."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Insert rows in bulk and return their new ids in order."""
    ids: list[int] = []
    table = model.__table__  # Core, not ORM, insert: several times faster for bulk rows
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for chunk in _chunks(rows):
        ids.extend(db.session.scalars(stmt, chunk).all())
    return ids


def _insert(table, rows: list[dict]) -> None:
    """Insert plain rows into a table in chunks."""
    for chunk in _chunks(rows):
        if chunk:
            db.session.execute(insert(table), chunk)


def remove_demo() -> None:
    """Delete an earlier demo load with its audit trail; data from other sources stays."""
    for model, entity in ((Offer, "offer"), (Location, "location")):
        ids = select(model.id).where(model.source == SOURCE)
        db.session.execute(
            delete(AuditEntry).where(
                AuditEntry.entity_type == entity, AuditEntry.entity_id.in_(ids)
            )
        )
    db.session.execute(delete(Offer).where(Offer.source == SOURCE))
    db.session.execute(delete(Location).where(Location.source == SOURCE))
    db.session.execute(delete(Organization).where(Organization.source == SOURCE))
    db.session.execute(delete(Region).where(Region.code.startswith(DISTRICT_AGS)))


def load_demo(
    locations: int, offers: int, seed: int, progress: Callable[[str], None] = print
) -> dict:
    """Replace the demo data with a freshly generated region and return a summary."""
    began = time.perf_counter()
    progress(f"Generating {locations} Lernorte and {offers} Angebote (seed {seed}) …")
    region = generate(locations, offers, seed)
    seed_terms()
    try:
        remove_demo()
        progress("Writing to the database …")
        _write(region, seed)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return {
        "region": REGION_NAME,
        "regions": len(region.towns),
        "locations": len(region.locations),
        "offers": len(region.offers),
        "seconds": time.perf_counter() - began,
    }


def _write(region: DemoRegion, seed: int) -> None:
    """Insert towns, providers, Lernorte, Angebote and their links."""
    areas = terms_by_code(Vocabulary.AREA)
    kinds = terms_by_code(Vocabulary.LOCATION_KIND)
    topics = terms_by_code(Vocabulary.TOPIC)
    groups = terms_by_code(Vocabulary.TARGET_GROUP)
    areas_of_kind = kind_areas()

    _insert(
        Region.__table__,
        [
            {
                "code": t["code"],
                "name": t["name"],
                "kind": t["kind"],
                "population": t["population"],
                "attribution": "Erfundene Gemeinden (kbm-map demo)",
                "geom": f"SRID=4326;{t['polygon'].wkt}",
            }
            for t in region.towns
        ],
    )
    region_ids = dict(
        db.session.execute(
            select(Region.code, Region.id).where(Region.code.startswith(DISTRICT_AGS))
        ).all()
    )
    org_ids = dict(
        zip(
            region.organizations,
            _insert_returning_ids(
                Organization,
                [
                    {
                        "name": name,
                        "kind": "public"
                        if name.startswith(("Gemeinde", "Landkreis", "Land "))
                        else "nonprofit",
                        "source": SOURCE,
                        "external_id": name,
                    }
                    for name in region.organizations
                ],
            ),
            strict=True,
        )
    )
    location_ids = _insert_returning_ids(
        Location, [_location_row(loc, kinds, region_ids, org_ids) for loc in region.locations]
    )
    _insert(
        location_areas,
        [
            {"location_id": location_ids[loc["key"]], "term_id": areas[code].id}
            for loc in region.locations
            for code in areas_of_kind[loc["kind"]]
        ],
    )
    offer_ids = _insert_returning_ids(
        Offer, [_offer_row(offer, org_ids) for offer in region.offers]
    )
    write_population(region.towns, seed, utcnow().date())
    write_history(
        [(location_ids[loc["key"]], loc["status"]) for loc in region.locations],
        [(offer_ids[o["key"]], o["status"]) for o in region.offers],
        seed,
        utcnow(),
    )
    _insert(
        offer_locations,
        [
            {"offer_id": offer_ids[o["key"]], "location_id": location_ids[o["location_key"]]}
            for o in region.offers
        ],
    )
    for table, field, terms in (
        (offer_areas, "areas", areas),
        (offer_topics, "topics", topics),
        (offer_target_groups, "target_groups", groups),
    ):
        _insert(
            table,
            [
                {"offer_id": offer_ids[o["key"]], "term_id": terms[code].id}
                for o in region.offers
                for code in o[field]
            ],
        )
    _insert(
        OfferSession.__table__,
        [
            {"offer_id": offer_ids[o["key"]], "starts_at": starts, "ends_at": ends}
            for o in region.offers
            for starts, ends in o["sessions"]
        ],
    )


def _location_row(loc: dict, kinds: dict, region_ids: dict, org_ids: dict) -> dict:
    """Turn a generated Lernort into a row of the locations table."""
    position = loc["position"]
    return {
        "slug": loc["slug"],
        "name": loc["name"],
        "kind_id": kinds[loc["kind"]].id,
        "organization_id": org_ids[loc["provider"]],
        "description": loc["description"],
        "street": loc["street"],
        "house_number": loc["house_number"],
        "postcode": loc["postcode"],
        "city": loc["city"],
        "region_id": region_ids[loc["town_code"]] if position else None,
        "geom": f"SRID=4326;POINT({position[0]} {position[1]})" if position else None,
        "email": loc["email"],
        "phone": loc["phone"],
        "website": loc["website"],
        "opening_hours": loc["opening_hours"],
        "languages": loc["languages"],
        "step_free": loc["step_free"],
        "accessible_toilet": loc["accessible_toilet"],
        "parking": loc["parking"],
        "induction_loop": loc["induction_loop"],
        "sign_language": loc["sign_language"],
        "status": loc["status"],
        "checked_at": loc["checked_at"],
        "source": SOURCE,
        "external_id": f"L{loc['key']}",
        "edited_fields": [],
    }


def _offer_row(offer: dict, org_ids: dict) -> dict:
    """Turn a generated Angebot into a row of the offers table."""
    return {
        "slug": offer["slug"],
        "title": offer["title"],
        "description": offer["description"],
        "offer_type": offer["offer_type"],
        "organization_id": org_ids[offer["provider"]],
        "online": offer["online"],
        "min_age": offer["min_age"],
        "max_age": offer["max_age"],
        "languages": offer["languages"],
        "cost_kind": offer["cost_kind"],
        "cost_amount": offer["cost_amount"],
        "funding": offer["funding"],
        "registration_email": offer["registration_email"],
        "recurrence": offer["recurrence"],
        "schedule_note": offer["schedule_note"],
        "valid_until": offer["valid_until"],
        "status": offer["status"],
        "checked_at": offer["checked_at"],
        "source": SOURCE,
        "external_id": f"A{offer['key']}",
        "edited_fields": [],
    }
