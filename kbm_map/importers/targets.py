"""What a mapping can produce: target records, their field types and the shared vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shapely.geometry import MultiPolygon

AREAS = {
    "fruehkindliche_bildung": "Frühkindliche Bildung",
    "schule": "Schule",
    "uebergang_beruf": "Übergang Schule–Beruf und Berufliche Bildung",
    "hochschule": "Hochschule",
    "weiterbildung": "Weiterbildung und Erwachsenenbildung",
    "non_formale_bildung": "Non-formale und informelle Bildung",
    "bildungsberatung": "Bildungsberatung",
}

# Kind label -> the areas a place of that kind belongs to when the file does not say.
KIND_AREAS: dict[str, list[str]] = {
    "Kita": ["fruehkindliche_bildung"],
    "Grundschule": ["schule"],
    "Hauptschule": ["schule"],
    "Realschule": ["schule"],
    "Gymnasium": ["schule"],
    "Gesamtschule": ["schule"],
    "Förderschule": ["schule"],
    "Berufliche Schule": ["uebergang_beruf"],
    "Hochschule": ["hochschule"],
    "Volkshochschule": ["weiterbildung"],
    "Bibliothek": ["non_formale_bildung"],
    "Musikschule": ["non_formale_bildung"],
    "Jugendzentrum": ["non_formale_bildung"],
    "Beratungsstelle": ["bildungsberatung"],
    "Familienzentrum": ["fruehkindliche_bildung"],
    "Weiterbildungsträger": ["weiterbildung"],
    "Sonstiger Lernort": [],
}
KINDS = list(KIND_AREAS)
OFFER_TYPES = ("course", "counselling", "event", "service")
STATUSES = ("published", "draft")  # what an import may give new entries


@dataclass
class LocationRecord:
    """A Lernort as read from a file; the import service upserts it by (source, external_id)."""

    external_id: str
    name: str
    kind: str | None = None
    areas: list[str] = field(default_factory=list)
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    lon: float | None = None
    lat: float | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    description: str | None = None
    opening_hours: str | None = None
    opening_hours_note: str | None = None
    languages: list[str] = field(default_factory=list)
    step_free: bool | None = None
    accessible_toilet: bool | None = None
    parking: bool | None = None
    induction_loop: bool | None = None
    sign_language: bool | None = None
    accessibility_note: str | None = None
    organization: str | None = None
    checked_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class OfferRecord:
    """An Angebot as read from a file; the import service upserts it by (source, external_id)."""

    external_id: str
    title: str
    description: str | None = None
    offer_type: str | None = None  # one of OFFER_TYPES; None leaves the model's default
    # Lernort ids: "id" (same source, else the one source that has it) or "source:id".
    locations: list[str] = field(default_factory=list)
    online: bool | None = None
    areas: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # taxonomy codes, checked on import
    target_groups: list[str] = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    languages: list[str] = field(default_factory=list)
    cost_kind: str | None = None  # free, amount, text; None: not stated
    cost_amount: Decimal | None = None
    cost_note: str | None = None
    funding: str | None = None
    registration_url: str | None = None
    registration_phone: str | None = None
    registration_email: str | None = None
    sessions: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    recurrence: str | None = None
    schedule_note: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    organization: str | None = None
    checked_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class RegionRecord:
    """A Gemeinde or Kreis with its outline in WGS84."""

    code: str  # AGS
    name: str
    geometry: MultiPolygon
    kind: str | None = None  # Gemeinde, Stadt, Landkreis …
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class GazetteerRecord:
    """A postcode with one of its places and a centroid, for offline geocoding."""

    postcode: str
    place: str
    lon: float
    lat: float
    community_code: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PopulationRecord:
    """The population of a region, keyed by its AGS: the total and any age groups.

    A row without any figure (a footnote, a former Kreis shown with "-") has neither.
    """

    code: str
    population: int | None  # the total
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)  # "6-10" -> 7866; never "total"

    @property
    def has_figures(self) -> bool:
        """Tell whether the row gave any figure."""
        return self.population is not None or bool(self.groups)


# Field name -> type per target. "address" and "street_and_number" are inputs that are split
# into street, house_number, postcode and city; they are not fields of the record.
_TEXT = str
LOCATION_FIELDS: dict[str, type] = {
    "external_id": _TEXT,
    "name": _TEXT,
    "kind": _TEXT,
    "areas": list,
    "street": _TEXT,
    "house_number": _TEXT,
    "postcode": _TEXT,
    "city": _TEXT,
    "lon": float,
    "lat": float,
    "phone": _TEXT,
    "email": _TEXT,
    "website": _TEXT,
    "description": _TEXT,
    "opening_hours": _TEXT,
    "opening_hours_note": _TEXT,
    "languages": list,
    "step_free": bool,
    "accessible_toilet": bool,
    "parking": bool,
    "induction_loop": bool,
    "sign_language": bool,
    "accessibility_note": _TEXT,
    "organization": _TEXT,
    "checked_at": _TEXT,
    "address": _TEXT,
    "street_and_number": _TEXT,
}
# "cost" is an input read as free, an amount ("12,50 €") or text; "starts_at"/"ends_at" give
# one session from two columns, "sessions" one or several ("start - end", "start/end").
OFFER_FIELDS: dict[str, type] = {
    "title": _TEXT,
    "description": _TEXT,
    "offer_type": _TEXT,
    "locations": list,
    "online": bool,
    "areas": list,
    "topics": list,
    "target_groups": list,
    "min_age": int,
    "max_age": int,
    "languages": list,
    "cost": _TEXT,
    "cost_note": _TEXT,
    "funding": _TEXT,
    "registration_url": _TEXT,
    "registration_phone": _TEXT,
    "registration_email": _TEXT,
    "sessions": list,
    "starts_at": _TEXT,
    "ends_at": _TEXT,
    "recurrence": _TEXT,
    "schedule_note": _TEXT,
    "valid_from": _TEXT,
    "valid_until": _TEXT,
    "organization": _TEXT,
    "checked_at": _TEXT,
}
TARGETS: dict[str, dict[str, type]] = {
    "location": LOCATION_FIELDS,
    "offer": OFFER_FIELDS,
    "region": {"code": _TEXT, "name": _TEXT, "kind": _TEXT},
    "gazetteer": {
        "postcode": _TEXT,
        "place": _TEXT,
        "lon": float,
        "lat": float,
        "community_code": _TEXT,
    },
    "population": {"code": _TEXT, "population": int, "name": _TEXT},
}
# Fields a row cannot do without; the id of a location or offer comes from [import] id.
REQUIRED: dict[str, tuple[str, ...]] = {
    "location": ("name",),
    "offer": ("title",),
    "region": ("code", "name"),
    "gazetteer": ("postcode", "place", "lon", "lat"),
    "population": ("code", "population"),
}
