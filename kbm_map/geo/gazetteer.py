"""Offline geocoding by postcode and place name through the postcode gazetteer."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import PostcodePlace

PLACE = "place"  # the postcode and the place name matched: the place's centroid
POSTCODE = "postcode"  # only the postcode matched: the centroid of its places
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_BATCH = 2_000


def place_key(name: str) -> str:
    """Fold a place name for matching: 'Künzell' = 'KUENZELL', 'Bad-Hersfeld' = 'Bad Hersfeld'."""
    folded = name.casefold().translate(_FOLD)
    return " ".join(_NOT_WORD.sub(" ", folded).split())


@dataclass(frozen=True)
class Hit:
    """Where the gazetteer puts an address, and how precisely."""

    lon: float
    lat: float
    precision: str  # PLACE or POSTCODE


class Gazetteer:
    """The gazetteer rows of some postcodes, held in memory for many lookups in a row."""

    def __init__(self, rows: Iterable[tuple[str, str, float, float]]):
        """Index (postcode, place_key, lon, lat) rows by postcode."""
        self._places: dict[str, dict[str, tuple[float, float]]] = {}
        points: dict[str, list[tuple[float, float]]] = {}
        for postcode, key, lon, lat in rows:
            # The first row of a place wins; GeoNames repeats a place for large customers.
            self._places.setdefault(postcode, {}).setdefault(key, (lon, lat))
            points.setdefault(postcode, []).append((lon, lat))
        self._centroids = {
            code: (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
            for code, pts in points.items()
        }

    @classmethod
    def load(cls, postcodes: Iterable[str]) -> Gazetteer:
        """Read the gazetteer rows of the given postcodes from the database."""
        wanted = sorted({p for p in postcodes if p})
        rows: list[tuple[str, str, float, float]] = []
        columns = (
            PostcodePlace.postcode,
            PostcodePlace.place_key,
            PostcodePlace.lon,
            PostcodePlace.lat,
        )
        for start in range(0, len(wanted), _BATCH):
            stmt = (
                select(*columns)
                .where(PostcodePlace.postcode.in_(wanted[start : start + _BATCH]))
                .order_by(PostcodePlace.id)
            )
            rows.extend(tuple(row) for row in db.session.execute(stmt))
        return cls(rows)

    def locate(self, postcode: str | None, place: str | None) -> Hit | None:
        """Place an address by postcode and place: the place itself, else the postcode's centre."""
        if not postcode or postcode not in self._centroids:
            return None
        if place:
            found = self._places[postcode].get(place_key(place))
            if found:
                return Hit(found[0], found[1], PLACE)
        lon, lat = self._centroids[postcode]
        return Hit(round(lon, 6), round(lat, 6), POSTCODE)


def locate(postcode: str | None, place: str | None) -> Hit | None:
    """Place one address by postcode and place name, or return None."""
    return Gazetteer.load([postcode] if postcode else []).locate(postcode, place)


def gazetteer_size() -> int:
    """Return how many postcode places the gazetteer holds (0: not imported yet)."""
    return db.session.scalar(select(func.count()).select_from(PostcodePlace)) or 0
