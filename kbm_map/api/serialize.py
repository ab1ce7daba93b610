"""JSON shapes of Lernorte and Angebote for the API (stable keys, codes plus labels)."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from geoalchemy2.shape import to_shape

from ..models import Location, Offer, Term


def _term(term: Term | None) -> dict | None:
    """Return a taxonomy term as code and label in the request's language."""
    if term is None:
        return None
    return {"code": term.code, "label": term.label(str(get_locale()))}


def _position(location: Location) -> dict | None:
    """Return a position as lon/lat, or None."""
    if location.geom is None:
        return None
    point = to_shape(location.geom)
    return {"lon": round(point.x, 6), "lat": round(point.y, 6)}


def location_summary(location: Location) -> dict:
    """Return the short form of a Lernort (search hits, offer places)."""
    return {
        "type": "location",
        "id": location.id,
        "name": location.name,
        "kind": _term(location.kind),
        "address": location.address,
        "position": _position(location),
        "url": url_for("public.location", slug=location.slug, _external=True),
    }


def location_detail(location: Location) -> dict:
    """Return everything public about a Lernort."""
    return {
        **location_summary(location),
        "slug": location.slug,
        "description": location.description,
        "areas": [_term(a) for a in location.areas],
        "street": location.street,
        "house_number": location.house_number,
        "postcode": location.postcode,
        "city": location.city,
        "region": {"code": location.region.code, "name": location.region.name}
        if location.region
        else None,
        "contact": {"phone": location.phone, "email": location.email, "website": location.website},
        "opening_hours": location.opening_hours,
        "opening_hours_note": location.opening_hours_note,
        "accessibility": {
            "step_free": location.step_free,
            "accessible_toilet": location.accessible_toilet,
            "parking": location.parking,
            "induction_loop": location.induction_loop,
            "sign_language": location.sign_language,
            "note": location.accessibility_note,
        },
        "languages": location.languages or [],
        "organization": location.organization.name if location.organization else None,
        "checked_at": location.checked_at.isoformat() if location.checked_at else None,
        "updated_at": location.updated_at.isoformat() if location.updated_at else None,
    }


def offer_summary(offer: Offer) -> dict:
    """Return the short form of an Angebot."""
    return {
        "type": "offer",
        "id": offer.id,
        "title": offer.title,
        "offer_type": offer.offer_type,
        "online": offer.online,
        "cost": {
            "kind": offer.cost_kind,
            "amount": str(offer.cost_amount) if offer.cost_amount is not None else None,
            "currency": "EUR",
            "note": offer.cost_note,
        },
        "places": [location_summary(loc) for loc in offer.locations if loc.is_public],
        "url": url_for("public.offer", slug=offer.slug, _external=True),
    }


def offer_detail(offer: Offer) -> dict:
    """Return everything public about an Angebot."""
    return {
        **offer_summary(offer),
        "slug": offer.slug,
        "description": offer.description,
        "areas": [_term(t) for t in offer.areas],
        "topics": [_term(t) for t in offer.topics],
        "target_groups": [_term(t) for t in offer.target_groups],
        "min_age": offer.min_age,
        "max_age": offer.max_age,
        "languages": offer.languages or [],
        "funding": offer.funding,
        "registration": {
            "url": offer.registration_url,
            "phone": offer.registration_phone,
            "email": offer.registration_email,
        },
        "sessions": [
            {
                "starts_at": s.starts_at.isoformat(),
                "ends_at": s.ends_at.isoformat() if s.ends_at else None,
            }
            for s in offer.sessions
        ],
        "recurrence": offer.recurrence,
        "schedule_note": offer.schedule_note,
        "valid_until": offer.valid_until.isoformat() if offer.valid_until else None,
        "organization": offer.organization.name if offer.organization else None,
        "checked_at": offer.checked_at.isoformat() if offer.checked_at else None,
        "updated_at": offer.updated_at.isoformat() if offer.updated_at else None,
    }
