"""Read helpers of the staff area: filtered lists, choices, map outlines."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Location, Offer, Organization, Region, Status, Term, Vocabulary, utcnow

PER_PAGE = 50


@dataclass
class Page:
    """One page of a list with what the pager needs."""

    items: list
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, math.ceil(self.total / self.per_page))


def paginate(stmt, page: int) -> Page:
    """Run a select for one page and count all rows."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, min(page, max(1, math.ceil(total / PER_PAGE))))
    items = list(db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    return Page(items, total, page)


def _text_filter(columns, text: str):
    """Match every word of `text` somewhere in the columns (case-insensitive)."""
    conditions = []
    for word in text.split()[:6]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        conditions.append(or_(*(column.ilike(pattern) for column in columns)))
    return conditions


def _stale(model):
    """Filter for entries not checked for STALE_AFTER_DAYS."""
    cutoff = utcnow() - timedelta(days=current_app.config["STALE_AFTER_DAYS"])
    return func.coalesce(model.checked_at, model.created_at) < cutoff


def location_list(args) -> Page:
    """Return a page of Lernorte filtered by text, status, kind, area, region, freshness."""
    stmt = select(Location).options(selectinload(Location.kind), selectinload(Location.region))
    if args.get("q"):
        stmt = stmt.where(*_text_filter((Location.name, Location.city, Location.street), args["q"]))
    if args.get("status") in {s.value for s in Status}:
        stmt = stmt.where(Location.status == args["status"])
    if args.get("kind", "").isdigit():
        stmt = stmt.where(Location.kind_id == int(args["kind"]))
    if args.get("area"):
        stmt = stmt.where(Location.areas.any(Term.code == args["area"]))
    if args.get("region", "").isdigit():
        stmt = stmt.where(Location.region_id == int(args["region"]))
    if args.get("stale"):
        stmt = stmt.where(_stale(Location))
    return paginate(stmt.order_by(Location.name, Location.id), _page(args))


def offer_list(args) -> Page:
    """Return a page of Angebote filtered by text, status, area, Träger, freshness."""
    stmt = select(Offer).options(selectinload(Offer.organization))
    if args.get("q"):
        stmt = stmt.where(*_text_filter((Offer.title,), args["q"]))
    if args.get("status") in {s.value for s in Status}:
        stmt = stmt.where(Offer.status == args["status"])
    if args.get("area"):
        stmt = stmt.where(Offer.areas.any(Term.code == args["area"]))
    if args.get("organization", "").isdigit():
        stmt = stmt.where(Offer.organization_id == int(args["organization"]))
    if args.get("stale"):
        stmt = stmt.where(_stale(Offer))
    return paginate(stmt.order_by(Offer.title, Offer.id), _page(args))


def organization_list(args) -> Page:
    """Return a page of Träger, active ones unless archived ones are asked for."""
    stmt = select(Organization)
    if args.get("q"):
        stmt = stmt.where(*_text_filter((Organization.name,), args["q"]))
    stmt = stmt.where(Organization.active.is_(args.get("archived") != "1"))
    return paginate(stmt.order_by(Organization.name, Organization.id), _page(args))


def region_list(args) -> Page:
    """Return a page of regions."""
    stmt = select(Region)
    if args.get("q"):
        stmt = stmt.where(*_text_filter((Region.name, Region.code), args["q"]))
    return paginate(stmt.order_by(Region.name, Region.id), _page(args))


def _page(args) -> int:
    """Return the page number asked for."""
    page = args.get("page", "1")
    return int(page) if page.isdigit() else 1


def terms(vocabulary: str, active_only: bool = True) -> list[Term]:
    """Return the terms of a taxonomy in their order."""
    stmt = select(Term).where(Term.vocabulary == vocabulary).order_by(Term.position, Term.code)
    if active_only:
        stmt = stmt.where(Term.active.is_(True))
    return list(db.session.scalars(stmt))


def term_choices(vocabulary: str, by: str = "code", blank: bool = False) -> list[tuple]:
    """Return (value, label) pairs of a taxonomy for a select field."""
    choices = [(getattr(t, by), t.label("de")) for t in terms(vocabulary)]
    return [("", "–")] + choices if blank else choices


def organization_choices(current_id: int | None = None) -> list[tuple]:
    """Return the active Träger (and the current one) for a select field."""
    stmt = select(Organization.id, Organization.name).where(
        or_(Organization.active.is_(True), Organization.id == current_id)
    )
    return [("", "–")] + [
        (row[0], row[1]) for row in db.session.execute(stmt.order_by(Organization.name))
    ]


def region_choices() -> list[tuple]:
    """Return the regions for a filter."""
    stmt = select(Region.id, Region.name).order_by(Region.name)
    return [(str(row[0]), row[1]) for row in db.session.execute(stmt)]


def region_outlines(tolerance: float = 0.0005) -> dict:
    """Return the active regions' outlines, simplified, as a GeoJSON FeatureCollection."""
    stmt = select(Region.code, Region.name, Region.geom).where(
        Region.geom.isnot(None), Region.active.is_(True)
    )
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": mapping(to_shape(geom).simplify(tolerance, preserve_topology=True)),
        }
        for code, name, geom in db.session.execute(stmt)
    ]
    return {"type": "FeatureCollection", "features": features}


def location_names(ids) -> dict[int, str]:
    """Return {id: name} of Lernorte."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Location.id, Location.name).where(Location.id.in_(ids))).all()
    )


VOCABULARY_LABELS = {
    Vocabulary.AREA.value: _l("Bildungsbereiche"),
    Vocabulary.LOCATION_KIND.value: _l("Arten von Lernorten"),
    Vocabulary.TOPIC.value: _l("Themen"),
    Vocabulary.TARGET_GROUP.value: _l("Zielgruppen"),
}
