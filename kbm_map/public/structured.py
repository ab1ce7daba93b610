"""schema.org JSON-LD for detail pages (EducationalOrganization, Place, Course, Event)."""

from __future__ import annotations

import json

from flask import url_for
from geoalchemy2.shape import to_shape
from markupsafe import Markup

from ..models import Location, Offer

SCHOOL_KINDS = {
    "kita",
    "grundschule",
    "hauptschule",
    "realschule",
    "gymnasium",
    "gesamtschule",
    "foerderschule",
    "berufliche_schule",
    "hochschule",
    "volkshochschule",
    "musikschule",
}


def _address(location: Location) -> dict:
    """Return a schema.org PostalAddress."""
    street = " ".join(p for p in (location.street, location.house_number) if p)
    return {
        "@type": "PostalAddress",
        "streetAddress": street or None,
        "postalCode": location.postcode,
        "addressLocality": location.city,
        "addressCountry": "DE",
    }


def _place(location: Location) -> dict:
    """Return a schema.org description of a Lernort."""
    kind = location.kind.code if location.kind else ""
    data = {
        "@type": "EducationalOrganization" if kind in SCHOOL_KINDS else "Place",
        "name": location.name,
        "url": url_for("public.location", slug=location.slug, _external=True),
        "address": _address(location),
        "telephone": location.phone,
        "email": location.email,
        "sameAs": location.website,
    }
    if location.geom is not None:
        point = to_shape(location.geom)
        data["geo"] = {"@type": "GeoCoordinates", "latitude": point.y, "longitude": point.x}
    return data


def location_json_ld(location: Location) -> Markup:
    """Return the JSON-LD script content for a Lernort page."""
    return _dump({"@context": "https://schema.org", **_place(location)})


def offer_json_ld(offer: Offer) -> Markup:
    """Return the JSON-LD script content for an Angebot page (Course or Event)."""
    url = url_for("public.offer", slug=offer.slug, _external=True)
    places = [_place(loc) for loc in offer.locations if loc.is_public]
    provider = (
        {"@type": "Organization", "name": offer.organization.name} if offer.organization else None
    )
    offers = None
    if offer.cost_kind in ("free", "amount"):
        price = "0" if offer.cost_kind == "free" else str(offer.cost_amount)
        offers = {"@type": "Offer", "price": price, "priceCurrency": "EUR", "category": "Fees"}
    if offer.offer_type == "event" and offer.sessions:
        session = offer.sessions[0]
        data = {
            "@type": "Event",
            "name": offer.title,
            "description": offer.description,
            "url": url,
            "startDate": session.starts_at.isoformat(),
            "endDate": session.ends_at.isoformat() if session.ends_at else None,
            "location": places[0] if places else None,
            "organizer": provider,
            "offers": offers,
            "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode"
            if offer.online
            else "https://schema.org/OfflineEventAttendanceMode",
        }
    else:
        instances = [
            {
                "@type": "CourseInstance",
                "courseMode": "online" if offer.online else "onsite",
                "startDate": s.starts_at.isoformat(),
                "endDate": s.ends_at.isoformat() if s.ends_at else None,
                "location": places[0] if places else None,
            }
            for s in offer.sessions[:10]
        ]
        data = {
            "@type": "Course",
            "name": offer.title,
            "description": offer.description,
            "url": url,
            "provider": provider,
            "inLanguage": offer.languages or None,
            "offers": offers,
            "hasCourseInstance": instances or None,
        }
    return _dump({"@context": "https://schema.org", **data})


def _clean(value):
    """Drop empty members so the JSON-LD stays tidy."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _dump(data: dict) -> Markup:
    """Serialise for a <script type="application/ld+json"> element, safe against </script>."""
    text = json.dumps(_clean(data), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above: no <, >, & can close the script element
