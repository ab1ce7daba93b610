"""Generate a plausible, deterministic demo region as plain records (no database)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.prepared import prep

from ..text import slugify, unique_slug
from .vocabulary import (
    DISTRICT_AGS,
    KINDS,
    KITA_NAMES,
    LANGUAGE_SETS,
    LEVEL_SUFFIXES,
    OFFER_TEMPLATES,
    SCHOOL_NAMES,
    STREETS,
    TOWNS,
)

# The demo region lies around Fulda, where real open data for tests also comes from.
CENTER = (9.68, 50.55)
SPAN = (0.70, 0.44)  # degrees of longitude and latitude covered


@dataclass
class DemoRegion:
    """All records of one demo region, ready for bulk loading."""

    towns: list[dict] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    locations: list[dict] = field(default_factory=list)
    offers: list[dict] = field(default_factory=list)


def week_start(today: date | None = None) -> date:
    """Return the Monday of the current week: demo dates are relative to it, so stay current."""
    today = today or date.today()
    return today - timedelta(days=today.weekday())


def town_polygons(count: int, rng: random.Random) -> list[MultiPolygon]:
    """Tile the region into `count` quadrilaterals with jittered shared corners."""
    columns = max(1, round((count * SPAN[0] / SPAN[1]) ** 0.5))
    rows = -(-count // columns)
    dx, dy = SPAN[0] / columns, SPAN[1] / rows
    west, south = CENTER[0] - SPAN[0] / 2, CENTER[1] - SPAN[1] / 2
    corners = {}
    for i in range(columns + 1):
        for j in range(rows + 1):
            inner = 0 < i < columns and 0 < j < rows
            jitter_x = rng.uniform(-0.25, 0.25) * dx if inner else 0.0
            jitter_y = rng.uniform(-0.25, 0.25) * dy if inner else 0.0
            corners[i, j] = (
                round(west + i * dx + jitter_x, 6),
                round(south + j * dy + jitter_y, 6),
            )
    cells = [(i, j) for j in range(rows) for i in range(columns)][:count]
    return [
        MultiPolygon(
            [Polygon([corners[i, j], corners[i + 1, j], corners[i + 1, j + 1], corners[i, j + 1]])]
        )
        for i, j in cells
    ]


def random_point_in(polygon: MultiPolygon, rng: random.Random) -> tuple[float, float]:
    """Draw a point uniformly inside a polygon by rejection sampling."""
    min_x, min_y, max_x, max_y = polygon.bounds
    prepared = prep(polygon)
    while True:
        lon, lat = round(rng.uniform(min_x, max_x), 6), round(rng.uniform(min_y, max_y), 6)
        if prepared.contains(Point(lon, lat)):
            return lon, lat


SETTLED = 0.3  # Lernorte lie within this share of the way from the town's centre to its edge


def towards_centre(point: tuple[float, float], polygon: MultiPolygon) -> tuple[float, float]:
    """Move a point towards the town's centre, where people live (no random draw: the rest
    of the demo stays the same for the same seed). Points stay inside the convex towns."""
    centre = polygon.centroid
    lon = centre.x + SETTLED * (point[0] - centre.x)
    lat = centre.y + SETTLED * (point[1] - centre.y)
    return round(lon, 6), round(lat, 6)


def make_towns(rng: random.Random, count: int) -> list[dict]:
    """Create the Gemeinden with codes, postcodes, population and polygons."""
    polygons = town_polygons(count, rng)
    towns = []
    for n, polygon in enumerate(polygons):
        name = TOWNS[n % len(TOWNS)] + ("" if n < len(TOWNS) else f" {n // len(TOWNS) + 1}")
        population = rng.randint(42_000, 68_000) if n == 0 else rng.randint(1_800, 24_000)
        towns.append(
            {
                "code": f"{DISTRICT_AGS}{n + 1:03d}",
                "name": name,
                "kind": "Stadt" if population > 15_000 else "Gemeinde",
                "population": population,
                "postcode": f"{36100 + n * 7:05d}",
                "polygon": polygon,
            }
        )
    return towns


def make_locations(rng: random.Random, towns: list[dict], count: int, start: date) -> list[dict]:
    """Create Lernorte spread over the towns, weighted towards the bigger ones."""
    kinds = list(KINDS)
    kind_weights = [KINDS[k][0] for k in kinds]
    town_weights = [t["population"] for t in towns]
    slugs: set[str] = set()
    names_seen: dict[str, int] = {}
    locations = []
    for n in range(count):
        kind = rng.choices(kinds, kind_weights)[0]
        _, patterns, providers, hours = KINDS[kind]
        town = rng.choices(towns, town_weights)[0]
        fill = {
            "town": town["name"],
            "kita": rng.choice(KITA_NAMES),
            "school": rng.choice(SCHOOL_NAMES),
        }
        name = rng.choice(patterns).format(**fill)
        names_seen[name] = names_seen.get(name, 0) + 1
        if names_seen[name] > 1:
            name = (
                f"{name} ({rng.choice(STREETS)})"
                if names_seen[name] == 2
                else f"{name} {names_seen[name]}"
            )
        position = None if rng.random() < 0.02 else random_point_in(town["polygon"], rng)
        if position is not None:
            position = towards_centre(position, town["polygon"])
        status = rng.choices(["published", "draft", "archived"], [95, 3, 2])[0]
        checked_days = rng.randint(0, 760)
        languages = rng.choice(LANGUAGE_SETS)
        locations.append(
            {
                "key": n,
                "name": name,
                "slug": unique_slug(
                    slugify(f"{name}-{town['name']}" if town["name"] not in name else name), slugs
                ),
                "kind": kind,
                "provider": rng.choice(providers).format(**fill),
                "street": rng.choice(STREETS),
                "house_number": str(rng.randint(1, 120)) + rng.choice(["", "", "", "a", "b"]),
                "postcode": town["postcode"],
                "city": town["name"],
                "town_code": town["code"],
                "position": position,
                "phone": f"0{rng.randint(6600, 6699)} {rng.randint(10000, 99999)}",
                "email": f"kontakt@{slugify(name)[:40]}.example",
                "website": f"https://{slugify(name)[:40]}.example",
                "opening_hours": hours,
                "languages": languages,
                "step_free": rng.choice([True, True, False, None]),
                "accessible_toilet": rng.choice([True, False, None]),
                "parking": rng.choice([True, False, None]),
                "induction_loop": rng.choice([True, False, False, None]),
                "sign_language": rng.random() < 0.05,
                "description": _location_description(kind, name, town["name"], languages),
                "status": status,
                "checked_at": datetime.combine(start - timedelta(days=checked_days), time(9, 0)),
            }
        )
    return locations


def _location_description(kind: str, name: str, town: str, languages: list[str]) -> str:
    """Write a short German description of a Lernort."""
    spoken = {
        "de": "Deutsch",
        "en": "Englisch",
        "tr": "Türkisch",
        "ar": "Arabisch",
        "uk": "Ukrainisch",
    }
    languages_text = ", ".join(spoken[code] for code in languages)
    return (
        f"{name} ist ein Lernort in {town}. Wir beraten und informieren auf {languages_text}. "
        "Sprechen Sie uns gerne an – auch ohne Termin."
    )


def make_offers(rng: random.Random, locations: list[dict], count: int, start: date) -> list[dict]:
    """Create Angebote at fitting Lernorte with costs, ages and schedules."""
    by_kind: dict[str, list[dict]] = {}
    for location in locations:
        by_kind.setdefault(location["kind"], []).append(location)
    templates = [t for t in OFFER_TEMPLATES if any(k in by_kind for k in t[2])]
    slugs: set[str] = set()
    offers = []
    for n in range(count):
        title, offer_type, kinds, areas, topics, groups, ages, languages, costs = rng.choice(
            templates
        )
        place = rng.choice(by_kind[rng.choice([k for k in kinds if k in by_kind])])
        suffix = rng.choice(LEVEL_SUFFIXES) if offer_type == "course" else ""
        full_title = f"{title}{suffix}"
        online = suffix == " online"
        cost = rng.choice(range(costs[0], costs[1] + 1, 5)) if costs[1] else 0
        sessions, recurrence, note = _schedule(rng, offer_type, start)
        offers.append(
            {
                "key": n,
                "title": full_title,
                "slug": unique_slug(slugify(f"{full_title}-{place['city']}"), slugs),
                "offer_type": offer_type,
                "location_key": place["key"],
                "provider": place["provider"],
                "online": online,
                "areas": areas,
                "topics": topics,
                "target_groups": groups,
                "min_age": ages[0],
                "max_age": ages[1],
                "languages": rng.sample(languages, k=rng.randint(1, len(languages))),
                "cost_kind": "free" if cost == 0 else "amount",
                "cost_amount": cost or None,
                "funding": "Bildungsgutschein möglich"
                if offer_type == "course" and rng.random() < 0.15
                else None,
                "registration_email": place["email"] if offer_type != "service" else None,
                "sessions": sessions,
                "recurrence": recurrence,
                "schedule_note": note,
                "description": (
                    f"{title} in {place['name']}, {place['city']}. "
                    + ("Die Teilnahme ist kostenlos. " if cost == 0 else f"Gebühr: {cost} Euro. ")
                    + "Anmeldung erbeten."
                ),
                "status": "published"
                if place["status"] == "published" and rng.random() < 0.97
                else "draft",
                "valid_until": sessions[-1][0].date()
                if sessions
                else start + timedelta(days=rng.randint(90, 400)),
                "checked_at": datetime.combine(
                    start - timedelta(days=rng.randint(0, 500)), time(10, 0)
                ),
            }
        )
    return offers


def _schedule(rng: random.Random, offer_type: str, start: date):
    """Return (sessions, recurrence rule, note) for an offer type."""
    first = datetime.combine(
        start + timedelta(days=rng.randint(-14, 120)), time(rng.choice([9, 10, 15, 17, 18, 19]))
    )
    if offer_type == "course":
        weeks = rng.randint(3, 8)
        return (
            [
                (first + timedelta(weeks=w), first + timedelta(weeks=w, minutes=90))
                for w in range(weeks)
            ],
            None,
            None,
        )
    if offer_type == "event":
        return [(first, first + timedelta(hours=2))], None, None
    day = rng.choice(
        [("MO", "montags"), ("TU", "dienstags"), ("WE", "mittwochs"), ("TH", "donnerstags")]
    )
    return [], f"FREQ=WEEKLY;BYDAY={day[0]}", f"{day[1]} {first.hour}–{first.hour + 2} Uhr"


def generate(locations: int, offers: int, seed: int, today: date | None = None) -> DemoRegion:
    """Generate the whole demo region; the same arguments give the same records."""
    rng = random.Random(seed)
    start = week_start(today)
    towns = make_towns(rng, count=min(20, max(4, locations // 15)))
    region = DemoRegion(towns=towns)
    region.locations = make_locations(rng, towns, locations, start)
    region.offers = make_offers(rng, region.locations, offers, start)
    region.organizations = sorted({loc["provider"] for loc in region.locations})
    return region
