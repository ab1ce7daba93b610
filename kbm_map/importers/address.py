"""Split German one-string addresses into street, house number, postcode and city."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A house number: digits, an optional letter, and optionally a range or second number
# ("1", "3a", "155 a", "40-42", "2–6", "12/14", "7 b-c").
_NUMBER = r"\d+\s?[a-zA-Z]?(?:\s?[-–/]\s?\d*\s?[a-zA-Z]?)?"
_STREET_NUMBER = re.compile(rf"^(?P<street>.*?\D)[\s,]+(?P<number>{_NUMBER})$")
_TOWN = re.compile(r"(?:^|[\s,])(?:D-|DE-)?(?P<postcode>\d{5})(?:\s+(?P<city>.+))?$")


@dataclass(frozen=True)
class Address:
    """The parts of a postal address; a part the text does not contain is None."""

    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None


def split_street(text: str) -> tuple[str | None, str | None]:
    """Split 'Am Markt 3a' into ('Am Markt', '3a'); a street without number keeps None."""
    text = " ".join(text.split()).strip(" ,")
    if not text:
        return None, None
    match = _STREET_NUMBER.match(text)
    if match is None:
        return text, None
    return match["street"].strip(" ,"), match["number"].strip()


def split_address(text: str) -> Address:
    """Split 'Schulstraße 1, 36148 Kalbach' (comma optional) into its parts."""
    text = " ".join(text.split()).strip(" ,")
    if not text:
        return Address()
    town = _TOWN.search(text)
    if town is None:
        # No postcode: "Schulstraße 1, Kalbach" or just a street.
        street_part, _, city = text.rpartition(",")
        if not street_part:
            street_part, city = city, ""
        street, number = split_street(street_part)
        return Address(street, number, None, city.strip() or None)
    street, number = split_street(text[: town.start()])
    city = (town["city"] or "").strip(" ,") or None
    return Address(street, number, town["postcode"], city)
