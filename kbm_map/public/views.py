"""Read helpers for the public pages."""

from __future__ import annotations

from datetime import date

from flask import abort
from flask_babel import get_locale
from geoalchemy2.shape import to_shape
from sqlalchemy import func, literal, or_, select, union_all

from ..extensions import db
from ..models import Location, Offer, Region, Status, Term, Vocabulary, offer_locations
from ..models.taxonomy import location_areas, offer_areas
from .structured import location_json_ld, offer_json_ld


def public_counts() -> dict[str, int]:
    """Count the published Lernorte and Angebote and the known Gemeinden."""
    published = Status.PUBLISHED.value
    return {
        "locations": db.session.scalar(
            select(func.count()).select_from(Location).where(Location.status == published)
        ),
        "offers": db.session.scalar(
            select(func.count()).select_from(Offer).where(Offer.status == published)
        ),
        "regions": db.session.scalar(select(func.count()).select_from(Region)),
    }


def area_entries() -> list[dict]:
    """List the Bildungsbereiche with how many published Lernorte and Angebote each has."""
    published = Status.PUBLISHED.value
    locale = str(get_locale())
    location_counts = dict(
        db.session.execute(
            select(location_areas.c.term_id, func.count())
            .join(Location, Location.id == location_areas.c.location_id)
            .where(Location.status == published)
            .group_by(location_areas.c.term_id)
        ).all()
    )
    offer_counts = dict(
        db.session.execute(
            select(offer_areas.c.term_id, func.count())
            .join(Offer, Offer.id == offer_areas.c.offer_id)
            .where(Offer.status == published)
            .group_by(offer_areas.c.term_id)
        ).all()
    )
    terms = db.session.scalars(
        select(Term)
        .where(Term.vocabulary == Vocabulary.AREA.value, Term.active.is_(True))
        .order_by(Term.position)
    )
    return [
        {
            "code": term.code,
            "label": term.label(locale),
            "locations": location_counts.get(term.id, 0),
            "offers": offer_counts.get(term.id, 0),
        }
        for term in terms
    ]


def home_figures() -> dict:
    """Collect what the home page shows."""
    return {"counts": public_counts(), "areas": area_entries()}


def _published_or_404(model, slug: str):
    """Return the published entry with the slug, or answer 404."""
    entry = db.session.scalar(select(model).where(model.slug == slug))
    if entry is None or not entry.is_public:
        abort(404)
    return entry


def location_page(slug: str) -> dict:
    """Collect what a Lernort page shows."""
    location = _published_or_404(Location, slug)
    today = date.today()
    offers = db.session.scalars(
        select(Offer)
        .join(offer_locations, offer_locations.c.offer_id == Offer.id)
        .where(
            offer_locations.c.location_id == location.id,
            Offer.status == Status.PUBLISHED.value,
            or_(Offer.valid_until.is_(None), Offer.valid_until >= today),
        )
        .order_by(Offer.title)
        .limit(200)
    ).all()
    position = to_shape(location.geom) if location.geom is not None else None
    return {
        "location": location,
        "offers": offers,
        "position": (position.x, position.y) if position else None,
        "json_ld": location_json_ld(location),
    }


def offer_page(slug: str) -> dict:
    """Collect what an Angebot page shows."""
    offer = _published_or_404(Offer, slug)
    upcoming = [s for s in offer.sessions if s.starts_at.date() >= date.today()]
    return {
        "offer": offer,
        "places": [loc for loc in offer.locations if loc.is_public],
        "upcoming": upcoming,
        "past_sessions": len(offer.sessions) - len(upcoming),
        "json_ld": offer_json_ld(offer),
    }


def _sitemap_query():
    """Select (endpoint, slug, last change) of every published Lernort and Angebot."""
    published = Status.PUBLISHED.value
    locations = select(
        literal("public.location").label("endpoint"), Location.slug, Location.updated_at
    ).where(Location.status == published)
    offers = select(literal("public.offer").label("endpoint"), Offer.slug, Offer.updated_at).where(
        Offer.status == published
    )
    return union_all(locations, offers)


def sitemap_size() -> int:
    """Count the entries of the sitemap."""
    return db.session.scalar(select(func.count()).select_from(_sitemap_query().subquery()))


def sitemap_entries(offset: int, limit: int) -> list[tuple[str, str, object]]:
    """Return one page of (endpoint, slug, last change) for the sitemap."""
    query = _sitemap_query().subquery()
    stmt = select(query).order_by(query.c.endpoint, query.c.slug).offset(offset).limit(limit)
    return [tuple(row) for row in db.session.execute(stmt)]
