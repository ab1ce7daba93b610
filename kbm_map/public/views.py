"""Read helpers for the public pages."""

from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import func, select

from ..extensions import db
from ..models import Location, Offer, Region, Status, Term, Vocabulary
from ..models.taxonomy import location_areas, offer_areas


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
