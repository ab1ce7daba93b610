"""Who may use an OSM way, in which direction and how fast: walking, cycling, driving.

The rules are those of a plain accessibility model (as the Thünen-Erreichbarkeitsmodell),
not of a navigation system: constant speeds on foot and by bike, free-flow speeds by car,
no waiting at junctions or traffic lights. Times are therefore lower bounds, and comparable
between Gemeinden and years, which is what the monitoring needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MODES = ("walk", "bike", "car")
WALK_KMH = 4.5
BIKE_KMH = 15.0
# Free-flow car speeds by road class where no usable maxspeed is tagged (km/h).
CAR_KMH = {
    "motorway": 120,
    "motorway_link": 60,
    "trunk": 90,
    "trunk_link": 50,
    "primary": 70,
    "primary_link": 50,
    "secondary": 60,
    "secondary_link": 45,
    "tertiary": 50,
    "tertiary_link": 40,
    "unclassified": 40,
    "road": 30,
    "residential": 30,
    "living_street": 10,
    "service": 15,
}
CAR_MAX_KMH = 130  # a higher or missing limit ("none") is driven at most this fast
# Everything but motor roads is walkable; a bike is pushed where cycling is not allowed.
WALKABLE = frozenset(CAR_KMH) - {"motorway", "motorway_link"} | {
    "footway",
    "pedestrian",
    "path",
    "steps",
    "cycleway",
    "bridleway",
    "track",
    "corridor",
    "platform",
}
PUSH_BIKE = frozenset({"footway", "pedestrian", "steps", "corridor", "platform"})
# Where the residents live: streets the approximation spreads a Gemeinde's population over.
RESIDENTIAL = frozenset({"residential", "living_street"})
# Access values that shut a way for the mode (others, e.g. destination, customers, allow it).
BLOCKED = frozenset(
    {"no", "private", "agricultural", "forestry", "delivery", "military", "permit", "use_sidepath"}
)
ALLOWED = frozenset({"yes", "designated", "permissive", "destination", "official"})
# The most specific access key first, as in OSM's access hierarchy.
ACCESS_KEYS = {
    "walk": ("foot", "access"),
    "bike": ("bicycle", "vehicle", "access"),
    "car": ("motorcar", "motor_vehicle", "vehicle", "access"),
}
ZONE_KMH = {"urban": 50, "rural": 100, "living_street": 7, "walk": 7, "zone30": 30}
NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph)?\s*$")


def access_value(tags: Mapping[str, str], mode: str) -> str | None:
    """Return the most specific access tag value that applies to the mode, if any."""
    for key in ACCESS_KEYS[mode]:
        value = tags.get(key)
        if value:
            return value.split(";")[0].strip()
    return None


def maxspeed_kmh(value: str | None) -> float | None:
    """Read a maxspeed tag as km/h (numbers, mph, DE:urban …); None if not usable."""
    if not value:
        return None
    match = NUMBER.match(value)
    if match:
        speed = float(match.group(1)) * (1.609 if match.group(2) else 1.0)
        return speed if 5 <= speed <= 250 else None
    zone = value.rpartition(":")[2].replace("zone:", "zone").lower()
    return ZONE_KMH.get(zone)


def car_kmh(tags: Mapping[str, str]) -> float:
    """Return the free-flow speed of a road: its plausible maxspeed, else its class default."""
    default = CAR_KMH[tags["highway"]]
    limit = maxspeed_kmh(tags.get("maxspeed"))
    return min(limit or default, CAR_MAX_KMH)


def oneway(tags: Mapping[str, str], mode: str) -> int:
    """Return 1 (forward only), -1 (backward only) or 0 (both ways) for vehicles."""
    if mode == "bike":
        own = tags.get("oneway:bicycle")
        if own in ("no", "false", "0") or tags.get("cycleway", "").startswith("opposite"):
            return 0
        if own in ("yes", "true", "1"):
            return 1
    value = tags.get("oneway")
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if value in ("no", "false", "0"):
        return 0
    implied = tags.get("junction") in ("roundabout", "circular")
    return 1 if implied or tags.get("highway") in ("motorway", "motorway_link") else 0


def way_speeds(tags: Mapping[str, str], mode: str) -> tuple[float, float] | None:
    """Return (forward, backward) km/h of a way for a mode (0: not this way), or None."""
    highway = tags.get("highway")
    if tags.get("area") == "yes" and highway != "pedestrian":
        return None
    access = access_value(tags, mode)
    if access in BLOCKED:
        return None
    if mode == "car":
        if highway not in CAR_KMH:
            return None
        speed = car_kmh(tags)
        direction = oneway(tags, mode)
    else:
        if highway not in WALKABLE or tags.get("motorroad") == "yes":
            return None
        if mode == "walk":
            return WALK_KMH, WALK_KMH
        if highway in PUSH_BIKE and access not in ALLOWED:
            return WALK_KMH, WALK_KMH  # pushed, in both directions like a pedestrian
        speed, direction = BIKE_KMH, oneway(tags, mode)
    return (speed if direction >= 0 else 0.0), (speed if direction <= 0 else 0.0)


def describe(mode: str) -> str:
    """Return the speeds of a mode in a few words, for outputs."""
    if mode == "walk":
        return f"on foot at {WALK_KMH:g} km/h"
    if mode == "bike":
        return f"by bike at {BIKE_KMH:g} km/h (pushed at {WALK_KMH:g} km/h on footways)"
    return "by car at the speed limit, else a default per road class (no junction delays)"
