"""Freshness and review: what needs attention (dashboard, `kbm-map check`), marking as checked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import and_, exists, func, or_, select

from ..extensions import db
from ..models import ImportRun, Location, Offer, OfferSession, Status, utcnow
from .editing import STAFF, audit
from .locations import similar_names

LIST_LIMIT = 50
NEAR_DEGREES = 0.0005  # grid cell for look-alikes: about 55 m north-south
NEAR_METRES = 50


@dataclass
class Finding:
    """One kind of problem: how many entries have it and the first of them."""

    key: str
    label: str
    count: int = 0
    items: list[dict] = field(default_factory=list)  # {"type", "id", "name", "detail"}


def _not_archived(model):
    """Filter for entries that are still meant to be current."""
    return model.status != Status.ARCHIVED.value


def _finding(key: str, label, rows: list[dict]) -> Finding:
    """Build a finding from all matching rows, keeping the first few."""
    return Finding(key, str(label), len(rows), rows[:LIST_LIMIT])


def _rows(kind: str, stmt) -> list[dict]:
    """Run a (id, name, detail) query and return item dicts."""
    return [
        {"type": kind, "id": row[0], "name": row[1], "detail": row[2] if len(row) > 2 else ""}
        for row in db.session.execute(stmt)
    ]


def stale_entries() -> Finding:
    """Entries not checked for STALE_AFTER_DAYS (new ones count from their creation)."""
    days = current_app.config["STALE_AFTER_DAYS"]
    cutoff = utcnow() - timedelta(days=days)
    rows = []
    for kind, model, label in (
        ("location", Location, Location.name),
        ("offer", Offer, Offer.title),
    ):
        seen = func.coalesce(model.checked_at, model.created_at)
        stmt = (
            select(model.id, label, model.checked_at)
            .where(_not_archived(model), seen < cutoff)
            .order_by(seen, model.id)
        )
        rows += _rows(kind, stmt)
    for row in rows:
        row["detail"] = row["detail"].date().isoformat() if row["detail"] else ""
    label = _l("Seit %(days)s Tagen nicht geprüft", days=days)
    return _finding("stale", label, rows)


def past_offers() -> Finding:
    """Published offers whose end date or last session has passed."""
    now = utcnow()
    last_session = (
        select(func.max(OfferSession.starts_at))
        .where(OfferSession.offer_id == Offer.id)
        .scalar_subquery()
    )
    has_sessions = exists().where(OfferSession.offer_id == Offer.id)
    stmt = (
        select(Offer.id, Offer.title, Offer.valid_until)
        .where(
            Offer.status == Status.PUBLISHED.value,
            or_(
                Offer.valid_until < now.date(),
                and_(
                    Offer.valid_until.is_(None),
                    Offer.recurrence.is_(None),
                    has_sessions,
                    last_session < now,
                ),
            ),
        )
        .order_by(Offer.id)
    )
    rows = _rows("offer", stmt)
    for row in rows:
        row["detail"] = row["detail"].isoformat() if row["detail"] else ""
    return _finding("past", _l("Angebote mit vergangenen Terminen"), rows)


def without_position() -> Finding:
    """Lernorte without a position (not on the map)."""
    stmt = (
        select(Location.id, Location.name, Location.city)
        .where(_not_archived(Location), Location.geom.is_(None))
        .order_by(Location.name, Location.id)
    )
    return _finding("no_position", _l("Lernorte ohne Position"), _rows("location", stmt))


def without_region() -> Finding:
    """Lernorte with a position that lies in no known Gemeinde."""
    stmt = (
        select(Location.id, Location.name, Location.city)
        .where(_not_archived(Location), Location.geom.isnot(None), Location.region_id.is_(None))
        .order_by(Location.name, Location.id)
    )
    return _finding("no_region", _l("Lernorte ohne Gemeinde"), _rows("location", stmt))


def without_contact() -> Finding:
    """Entries nobody can be reached through: no e-mail, phone or website."""
    locations = select(Location.id, Location.name).where(
        _not_archived(Location),
        Location.email.is_(None),
        Location.phone.is_(None),
        Location.website.is_(None),
    )
    offers = select(Offer.id, Offer.title).where(
        _not_archived(Offer),
        Offer.registration_email.is_(None),
        Offer.registration_phone.is_(None),
        Offer.registration_url.is_(None),
        Offer.organization_id.is_(None),
    )
    rows = _rows("location", locations.order_by(Location.id))
    rows += _rows("offer", offers.order_by(Offer.id))
    return _finding("no_contact", _l("Einträge ohne Kontakt"), rows)


def possible_duplicates() -> Finding:
    """Lernorte with the same name and address, or close together with similar names.

    One query and a grid in memory instead of one radius query per Lernort: 10,000 Lernorte
    take well under a second this way.
    """
    stmt = select(
        Location.id,
        Location.name,
        Location.street,
        Location.house_number,
        Location.postcode,
        ST_X(Location.geom),
        ST_Y(Location.geom),
    ).where(_not_archived(Location))
    rows = db.session.execute(stmt.order_by(Location.id)).all()
    pairs: dict[tuple[int, int], str] = {}
    by_address = defaultdict(list)
    cells = defaultdict(list)
    for row in rows:
        if row[2] and row[4]:
            key = (row[1].casefold().strip(), row[2].casefold(), row[3] or "", row[4])
            by_address[key].append(row)
        if row[5] is not None:
            cells[(int(row[5] // NEAR_DEGREES), int(row[6] // NEAR_DEGREES))].append(row)
    for group in by_address.values():
        for other in group[1:]:
            pairs[(group[0][0], other[0])] = str(_l("gleicher Name und gleiche Adresse"))
    for (cx, cy), members in cells.items():
        neighbours = [
            r for dx in (-1, 0, 1) for dy in (-1, 0, 1) for r in cells.get((cx + dx, cy + dy), ())
        ]
        for row in members:
            for other in neighbours:
                if other[0] <= row[0] or (row[0], other[0]) in pairs:
                    continue
                if _metres(row, other) <= NEAR_METRES and similar_names(row[1], other[1]):
                    pairs[(row[0], other[0])] = str(_l("ähnlicher Name, nah beieinander"))
    names = {row[0]: row[1] for row in rows}
    items = [
        {"type": "location", "id": a, "name": names[a], "detail": f"{reason}: Nr. {b} {names[b]}"}
        for (a, b), reason in sorted(pairs.items())
    ]
    return _finding("duplicates", _l("Mögliche Dubletten"), items)


def _metres(a, b) -> float:
    """Approximate the distance between two (…, lon, lat) rows in metres (fine below 1 km)."""
    import math

    dy = (a[6] - b[6]) * 111_320
    dx = (a[5] - b[5]) * 111_320 * math.cos(math.radians(a[6]))
    return math.hypot(dx, dy)


def import_problems(limit: int = 10) -> Finding:
    """Recent import runs that failed or rejected rows."""
    runs = db.session.scalars(
        select(ImportRun)
        .where(ImportRun.dry_run.is_(False))
        .order_by(ImportRun.id.desc())
        .limit(limit)
    )
    items = [
        {
            "type": "import",
            "id": run.id,
            "name": run.source_name,
            "detail": run.message or f"{len(run.rejected or [])} rejected",
            "run": run,
        }
        for run in runs
        if run.status not in ("done",) or run.rejected
    ]
    return Finding(
        "imports", str(_l("Importe mit Fehlern oder abgelehnten Zeilen")), len(items), items
    )


def findings() -> list[Finding]:
    """Collect everything the dashboard and `kbm-map check` show."""
    return [
        stale_entries(),
        past_offers(),
        without_position(),
        without_region(),
        without_contact(),
        possible_duplicates(),
        import_problems(),
    ]


def recent_runs(limit: int = 10) -> list[ImportRun]:
    """Return the last import runs, newest first."""
    return list(db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))


def mark_checked(entries: Iterable, user=None, origin: str = STAFF) -> int:
    """Confirm entries as current ("Als geprüft markieren"); return how many."""
    now = utcnow()
    entries = list(entries)
    for entry in entries:
        audit(entry, "check", {"checked_at": (entry.checked_at, now)}, origin, user)
        entry.checked_at = now
    db.session.commit()  # checked_at is not part of the search documents: no re-indexing
    return len(entries)
