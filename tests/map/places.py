"""Test data for the map: published Lernorte and Angebote at known positions."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from kbm_map.extensions import db
from kbm_map.models import Location, Offer, OfferSession, Region, Term, Vocabulary

CENTER = (9.68, 50.55)
WIDE = "9.0,50.0,10.4,51.1"  # the whole test area


class Places:
    """Add published Lernorte and Angebote with a few lines each."""

    def __init__(self):
        self.next_id = (db.session.scalar(select(func.max(Location.id))) or 0) + 1
        self.terms = {(t.vocabulary, t.code): t for t in db.session.scalars(select(Term))}

    def term(self, vocabulary: Vocabulary, code: str) -> Term:
        """Return a seeded taxonomy term."""
        return self.terms[vocabulary.value, code]

    def location(self, lon: float, lat: float, name: str | None = None, **fields) -> Location:
        """Add a published Lernort at a position."""
        number = self.next_id
        self.next_id += 1
        areas = [self.term(Vocabulary.AREA, code) for code in fields.pop("areas", ["schule"])]
        kind = fields.pop("kind", "grundschule")
        location = Location(
            id=number,
            slug=f"ort-{number}",
            name=name or f"Ort {number:04d}",
            status=fields.pop("status", "published"),
            geom=f"SRID=4326;POINT({lon} {lat})" if lon is not None else None,
            kind=self.term(Vocabulary.LOCATION_KIND, kind) if kind else None,
            street="Hauptstraße",
            house_number=str(number),
            postcode="36037",
            city="Fulda",
            areas=areas,
            **fields,
        )
        db.session.add(location)
        return location

    def offer(self, at: list[Location], title: str = "Kurs", **fields) -> Offer:
        """Add a published Angebot held at Lernorte."""
        sessions = fields.pop("sessions", [])
        offer = Offer(
            slug=f"angebot-{len(at)}-{self.next_id}",
            title=title,
            status=fields.pop("status", "published"),
            locations=at,
            areas=[self.term(Vocabulary.AREA, c) for c in fields.pop("areas", ["weiterbildung"])],
            topics=[self.term(Vocabulary.TOPIC, c) for c in fields.pop("topics", [])],
            target_groups=[
                self.term(Vocabulary.TARGET_GROUP, c) for c in fields.pop("targets", [])
            ],
            sessions=[OfferSession(starts_at=s) for s in sessions],
            **fields,
        )
        self.next_id += 1
        db.session.add(offer)
        return offer

    def scatter(self, count: int, spread: float = 0.3, seed: int = 5) -> dict[int, tuple]:
        """Add Lernorte at random positions around the centre; return {id: (lon, lat)}."""
        rng = random.Random(seed)
        points = {}
        for _ in range(count):
            lon = round(CENTER[0] + rng.uniform(-spread, spread), 6)
            lat = round(CENTER[1] + rng.uniform(-spread / 1.6, spread / 1.6), 6)
            points[self.location(lon, lat).id] = (lon, lat)
        db.session.commit()
        return points


def add_region(code: str = "06631001", name: str = "Testgemeinde") -> Region:
    """Add a rectangular Gemeinde around the centre with 20,000 inhabitants."""
    west, south, east, north = 9.3, 50.3, 10.1, 50.8
    ring = f"{west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}"
    region = Region(
        code=code, name=name, population=20_000, geom=f"SRID=4326;MULTIPOLYGON((({ring})))"
    )
    db.session.add(region)
    db.session.commit()
    return region


def next_monday() -> dt.datetime:
    """Return 10:00 on the coming Monday (never today, so "today" filters can be tested)."""
    today = dt.date.today()
    day = today + dt.timedelta(days=7 - today.weekday())
    return dt.datetime.combine(day, dt.time(10))
