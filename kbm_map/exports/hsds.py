"""Build an HSDS 3.0-style JSON document (organizations, locations, services) from export rows."""

from __future__ import annotations

from decimal import Decimal

from .formats import json_value

HSDS_VERSION = "3.0"


def _id(kind: str, value) -> str:
    """Return a document-wide unique id such as 'organization:12'."""
    return f"{kind}:{value}"


def _organizations(names: set[str]) -> tuple[list[dict], dict[str, str]]:
    """Return HSDS organizations and their ids by name."""
    ids = {name: _id("organization", n) for n, name in enumerate(sorted(names), start=1)}
    return [{"id": ids[name], "name": name} for name in sorted(names)], ids


def _terms(row: dict, vocabularies: tuple[str, ...]) -> list[dict]:
    """Return HSDS attributes for the row's taxonomy codes."""
    return [
        {"taxonomy_term": {"code": code, "taxonomy": vocabulary}}
        for vocabulary in vocabularies
        for code in row.get(vocabulary) or []
    ]


def hsds_location(row: dict, organizations: dict[str, str]) -> dict:
    """Return one HSDS location."""
    street = " ".join(p for p in (row.get("street"), row.get("house_number")) if p)
    accessibility = {
        name: row[name]
        for name in ("step_free", "accessible_toilet", "parking", "induction_loop", "sign_language")
        if row.get(name) is not None
    }
    return {
        "id": row["id"],
        "location_type": "physical",
        "name": row["name"],
        "description": row.get("description"),
        "organization_id": organizations.get(row.get("organization")),
        "latitude": row.get("lat"),
        "longitude": row.get("lon"),
        "external_identifiers": [
            {"identifier": row["external_id"], "identifier_type": row.get("source") or ""}
        ]
        if row.get("external_id")
        else [],
        "addresses": [
            {
                "address_1": street,
                "city": row.get("city") or "",
                "postal_code": row.get("postcode") or "",
                "state_province": "",
                "country": "DE",
                "address_type": "physical",
            }
        ]
        if street or row.get("city")
        else [],
        "phones": [{"number": row["phone"]}] if row.get("phone") else [],
        "languages": [{"code": code} for code in row.get("languages") or []],
        "accessibility": [
            {"description": row.get("accessibility_note") or "", "details": accessibility}
        ]
        if accessibility or row.get("accessibility_note")
        else [],
        "schedules": [{"description": row["opening_hours"]}] if row.get("opening_hours") else [],
        "attributes": _terms(
            {**row, "kind": [row["kind"]] if row.get("kind") else []}, ("kind", "areas")
        ),
        "url": row.get("website"),
        "email": row.get("email"),
        "region": row.get("region"),
        "last_modified": json_value(row.get("updated_at")),
    }


def hsds_service(row: dict, organizations: dict[str, str]) -> dict:
    """Return one HSDS service with its schedules, costs and locations."""
    cost = row.get("cost")
    options = []
    if cost == "free":
        options.append({"option": "free", "amount": 0, "currency": "EUR"})
    elif cost and cost.replace(".", "", 1).isdigit():
        options.append({"amount": float(Decimal(cost)), "currency": "EUR"})
    schedules = []
    for session in row.get("sessions") or []:
        starts, _, ends = session.partition("/")
        schedules.append({"dtstart": starts, "until": ends or None, "freq": None})
    if row.get("recurrence"):
        schedules.append(
            {"rrule": row["recurrence"], "description": row.get("schedule_note") or ""}
        )
    return {
        "id": row["id"],
        "name": row["title"],
        "description": row.get("description"),
        "organization_id": organizations.get(row.get("organization")),
        "status": "active",
        "service_type": row.get("offer_type"),
        "url": row.get("registration_url"),
        "email": row.get("registration_email"),
        "phones": [{"number": row["registration_phone"]}] if row.get("registration_phone") else [],
        "minimum_age": row.get("min_age"),
        "maximum_age": row.get("max_age"),
        "languages": [{"code": code} for code in row.get("languages") or []],
        "fees_description": row.get("cost_note") or (cost if not options else None),
        "cost_options": options,
        "funding": [{"source": row["funding"]}] if row.get("funding") else [],
        "schedules": schedules,
        "service_at_locations": [
            {"id": f"{row['id']}@{place}", "location_id": place}
            for place in row.get("locations") or []
        ],
        "attributes": _terms(row, ("areas", "topics", "target_groups")),
        "online": row.get("online"),
        "valid_from": json_value(row.get("valid_from")),
        "valid_until": json_value(row.get("valid_until")),
        "last_modified": json_value(row.get("updated_at")),
    }


def hsds_document(locations: list[dict], offers: list[dict], meta: dict) -> dict:
    """Return the whole HSDS document."""
    names = {r["organization"] for r in [*locations, *offers] if r.get("organization")}
    organizations, ids = _organizations(names)
    return {
        "hsds_version": HSDS_VERSION,
        "metadata": meta,
        "organizations": organizations,
        "locations": [hsds_location(row, ids) for row in locations],
        "services": [hsds_service(row, ids) for row in offers],
    }
