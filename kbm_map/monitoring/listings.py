"""Lernorte and current Angebote per Gemeinde for a search selection, today or at a past date.

At a past reference date the listings' state is reconstructed from the audit trail: an entry
counts when it had been created by then and was published on that day. Its status on that
day is the old value of its first status change after the day, or, without a later change,
its status today. An Angebot counts in the Gemeinden of its Lernorte published on that day,
and place filters (kind, Gemeinde, near …) apply to those Lernorte. Everything else (kind,
Gemeinde, Bildungsbereiche …) is taken as it is today; the method notes of the report say so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from ..extensions import db
from ..finding import Selection
from ..finding.filters import PUBLISHED
from ..models import AuditEntry, Location, Offer, OfferSession, Region, offer_locations

CHUNK = 5_000
WITHOUT_REGION = ""  # key of entries in no Gemeinde (no position, outside, online only)


@dataclass
class Counts:
    """Lernorte and Angebote of a selection per Gemeinde code, and in the whole area."""

    reference_date: dt.date
    lernorte: dict[str, int] = field(default_factory=dict)
    angebote: dict[str, int] = field(default_factory=dict)
    total_lernorte: int = 0
    total_angebote: int = 0  # an Angebot held in two Gemeinden counts once here


def end_of(day: dt.date) -> dt.datetime:
    """Return the first moment after a day (timestamps are naive UTC)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)


def status_changes_after(entity: str, moment: dt.datetime, ids: Iterable[int]) -> dict[int, str]:
    """Return {id: status before its first status change after moment} from the audit trail."""
    wanted = sorted(set(ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = db.session.execute(
            select(AuditEntry.entity_id, AuditEntry.changes)
            .where(
                AuditEntry.entity_type == entity,
                AuditEntry.created_at >= moment,
                AuditEntry.action.in_(("create", "update", "archive", "restore")),
                AuditEntry.entity_id.in_(wanted[start : start + CHUNK]),
            )
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
        for entity_id, changes in rows:
            status = (changes or {}).get("status")
            if entity_id not in found and status:
                found[entity_id] = status[0]
    return found


def _published_on(entity: str, rows: list[tuple[int, str]], day: dt.date) -> set[int]:
    """Return the ids among (id, status today) rows that were published on the day."""
    earlier = status_changes_after(entity, end_of(day), (i for i, _ in rows))
    return {i for i, status in rows if earlier.get(i, status) == PUBLISHED}


def _current_on(day: dt.date):
    """Return the conditions of Angebote running on a day (not over, not yet expired)."""
    sessions = OfferSession.__table__.c
    last_session = (
        select(func.max(sessions.starts_at)).where(sessions.offer_id == Offer.id).scalar_subquery()
    )
    return [
        or_(Offer.valid_until.is_(None), Offer.valid_until >= day),
        or_(last_session.is_(None), last_session >= dt.datetime.combine(day, dt.time.min)),
    ]


def count_listings(selection: Selection, day: dt.date | None = None) -> Counts:
    """Count the selection's Lernorte and current Angebote per Gemeinde on a day (today)."""
    today = dt.date.today()
    day = day or today
    past = day < today
    counts = Counts(reference_date=day)
    created = end_of(day)

    lernorte = selection.matching_lernorte(published=not past)
    stmt = select(Location.id, Location.status, Region.code).outerjoin(
        Region, Region.id == Location.region_id
    )
    rows = db.session.execute(stmt.where(*lernorte, Location.created_at < created)).all()
    public = _published_on("location", [(i, s) for i, s, _ in rows], day) if past else None
    per_region: dict[str, int] = defaultdict(int)
    for location_id, _, code in rows:
        if public is None or location_id in public:
            per_region[code or WITHOUT_REGION] += 1
            counts.total_lernorte += 1
    counts.lernorte = dict(per_region)

    # An Angebot takes its place's properties (kind, Gemeinde, near …) from the Lernorte it
    # is held at that were published on the day; today SQL knows them, earlier the audit
    # trail does, so the past leaves them to hosts below.
    hosts = _hosts_on(selection, day, past)
    offers = selection.matching_offers(published=not past, places=not past)
    rows = db.session.execute(
        select(Offer.id, Offer.status).where(*offers, *_current_on(day), Offer.created_at < created)
    ).all()
    public = _published_on("offer", rows, day) if past else {i for i, _ in rows}
    held = _held_at(sorted(public), hosts)
    if past and selection.place_conditions():  # the place filters: held at a matching host
        public = set(held)
    counts.total_angebote = len(public)
    per_region = defaultdict(int)
    for codes in held.values():
        for code in codes:
            if code is not None:
                per_region[code] += 1
    unplaced = sum(1 for i in public if not any(c is not None for c in held.get(i, ())))
    if unplaced:
        per_region[WITHOUT_REGION] += unplaced
    counts.angebote = dict(per_region)
    return counts


def _hosts_on(selection: Selection, day: dt.date, past: bool) -> dict[int, str | None]:
    """Return {Lernort id: Gemeinde code} of the Lernorte published on the day that meet the
    selection's place filters (the places whose Angebote count)."""
    # Two plain lookups (this and _held_at) instead of one join: SQLite would walk every
    # Lernort and probe the links for each (10 s per 5,000 Angebote on the 10k/100k demo).
    stmt = select(Location.id, Location.status, Region.code).outerjoin(
        Region, Region.id == Location.region_id
    )
    if past:
        stmt = stmt.where(Location.created_at < end_of(day), *selection.place_conditions())
        rows = db.session.execute(stmt).all()
        public = _published_on("location", [(i, s) for i, s, _ in rows], day)
        return {i: code for i, _, code in rows if i in public}
    stmt = stmt.where(Location.status == PUBLISHED, *selection.place_conditions())
    return {i: code for i, _, code in db.session.execute(stmt)}


def _held_at(offer_ids: list[int], hosts: dict[int, str | None]) -> dict[int, set[str | None]]:
    """Return {Angebot id: Gemeinde codes of its hosts} for the Angebote held at a host."""
    held: dict[int, set[str | None]] = defaultdict(set)
    link = offer_locations.c
    for start in range(0, len(offer_ids), CHUNK):
        pairs = db.session.execute(
            select(link.offer_id, link.location_id).where(
                link.offer_id.in_(offer_ids[start : start + CHUNK])
            )
        )
        for offer_id, location_id in pairs:
            if location_id in hosts:
                held[offer_id].add(hosts[location_id])
    return dict(held)
