"""Readable, localised forms of stored values: opening hours, costs, dates, ages."""

from __future__ import annotations

import re
from datetime import date, datetime

from babel.dates import get_day_names
from flask_babel import format_currency, format_date, format_datetime, get_locale
from flask_babel import gettext as _

from ..models import Offer

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_SPAN = r"\d{1,2}:\d{2}-\d{1,2}:\d{2}"
_RULE = re.compile(rf"^(?P<days>[A-Za-z,\- ]+?)\s+(?P<times>{_SPAN}(?:,\s*{_SPAN})*)$")


def _day_names() -> dict[str, str]:
    """Return OSM day codes → abbreviated day names in the UI language."""
    names = get_day_names("abbreviated", locale=str(get_locale()))
    return {code: names[index].rstrip(".") for index, code in enumerate(OSM_DAYS)}


def _clock(value: str) -> str:
    """Shorten 08:00 to 8 and 08:30 to 8:30."""
    hours, minutes = value.split(":")
    return str(int(hours)) if minutes == "00" else f"{int(hours)}:{minutes}"


def _days(spec: str, names: dict[str, str]) -> str | None:
    """Turn "Mo-Fr" or "Tu,Th" into localised day names, or None if it is not that simple."""
    parts = []
    for part in spec.replace(" ", "").split(","):
        ends = part.split("-")
        if not all(end in names for end in ends) or len(ends) > 2:
            return None
        parts.append("–".join(names[end] for end in ends))
    return ", ".join(parts)


def opening_hours_text(value: str | None) -> list[str]:
    """Turn OSM opening_hours into lines like "Mo–Fr 8–16 Uhr"; unknown syntax stays as it is."""
    if not value:
        return []
    names, lines = _day_names(), []
    suffix = _(" Uhr") if str(get_locale()) == "de" else ""
    for rule in (r.strip() for r in value.split(";") if r.strip()):
        match = _RULE.match(rule)
        days = _days(match.group("days"), names) if match else None
        if days is None:
            return [value]  # something richer than we render: show the original
        spans = [
            "–".join(_clock(t) for t in span.strip().split("-"))
            for span in match.group("times").split(",")
        ]
        lines.append(f"{days} {', '.join(spans)}{suffix}")
    return lines


def cost_text(offer: Offer) -> str:
    """Return the cost of an offer: "kostenfrei", "12,50 €" or the note."""
    if offer.cost_kind == "free":
        return _("kostenfrei")
    if offer.cost_kind == "amount" and offer.cost_amount is not None:
        return format_currency(offer.cost_amount, "EUR")
    return offer.cost_note or _("keine Angabe")


def age_text(min_age: int | None, max_age: int | None) -> str | None:
    """Return an age range such as "6 bis 12 Jahre" or "ab 16 Jahren"."""
    if min_age is not None and max_age is not None:
        return _("%(low)s bis %(high)s Jahre", low=min_age, high=max_age)
    if min_age is not None:
        return _("ab %(low)s Jahren", low=min_age)
    if max_age is not None:
        return _("bis %(high)s Jahre", high=max_age)
    return None


def date_text(value: date | datetime | None, with_time: bool = False) -> str:
    """Format a date (and time) in the UI language."""
    if value is None:
        return ""
    if with_time and isinstance(value, datetime):
        return format_datetime(value, "medium")
    return format_date(value, "long")


def yes_no(value: bool | None) -> str:
    """Say yes, no or unknown in words (never by colour alone)."""
    if value is None:
        return _("keine Angabe")
    return _("ja") if value else _("nein")
