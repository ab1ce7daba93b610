"""Build one OfferRecord (Angebot) from one raw record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .fields import (
    Built,
    RowError,
    Surroundings,
    checked_text,
    collect,
    kept_extra,
    required_text,
    text_or_none,
)
from .mapping import Mapping
from .records import RawRecord, RowWarning
from .schedule import parse_date, parse_datetime, parse_session, session_end
from .targets import OfferRecord
from .values import (
    BadValueError,
    clean_email,
    clean_url,
    normalize_area,
    normalize_offer_type,
    parse_bool,
    parse_cost,
    parse_int,
    text,
)

_TEXTS = (
    "description",
    "funding",
    "registration_phone",
    "recurrence",
    "schedule_note",
    "organization",
)
MAX_AGE = 120


def build_offer(
    raw: RawRecord, mapping: Mapping, around: Surroundings, warnings: list[RowWarning]
) -> Built:
    """Build an OfferRecord; the key for duplicate detection is its external id."""
    values = collect(raw, mapping)
    title = required_text(values, "title")
    external_id = text_or_none(mapping.id.value(raw.data)) if mapping.id else None
    if external_id is None:
        raise RowError("id", f"the id ({mapping.id.text if mapping.id else '?'}) is empty")
    record = OfferRecord(external_id=external_id, title=title)
    for name in _TEXTS:
        setattr(record, name, text_or_none(values.get(name)))
    offer_type = text_or_none(values.get("offer_type"))
    if offer_type is not None:
        record.offer_type = _checked("offer_type", normalize_offer_type, offer_type)
    record.locations = _texts(values.get("locations"))
    record.online = _checked("online", parse_bool, values.get("online"))
    record.areas = _areas(values.get("areas"), warnings)
    record.topics = [v.casefold() for v in _texts(values.get("topics"))]
    record.target_groups = [v.casefold() for v in _texts(values.get("target_groups"))]
    record.min_age, record.max_age = _age(values, "min_age"), _age(values, "max_age")
    low, high = record.min_age, record.max_age
    if low is not None and high is not None and low > high:
        raise RowError("max_age", f"max_age {high} is below min_age {low}")
    record.languages = [v.lower() for v in _texts(values.get("languages"))]
    record.cost_kind, record.cost_amount, note = _checked("cost", parse_cost, values.get("cost"))
    extra_note = text_or_none(values.get("cost_note"))
    record.cost_note = "; ".join(n for n in (note, extra_note) if n) or None
    record.registration_url = checked_text(values, "registration_url", clean_url, warnings)
    record.registration_email = checked_text(values, "registration_email", clean_email, warnings)
    record.sessions = _sessions(values)
    for name in ("valid_from", "valid_until"):
        if text_or_none(values.get(name)) is not None or hasattr(values.get(name), "year"):
            setattr(record, name, _checked(name, parse_date, values.get(name)))
    record.checked_at = checked_moment(values, warnings)
    record.extra = kept_extra(raw, mapping)
    return record, external_id


def checked_moment(values: dict, warnings: list[RowWarning]) -> datetime | None:
    """Return the checked_at date and time, or None with a warning if it cannot be read."""
    value = values.get("checked_at")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_datetime(value)
    except BadValueError as problem:
        warnings.append(RowWarning("checked_at", f"{problem}; left out"))
        return None


def _checked(field: str, parse, value: Any) -> Any:
    """Parse a value, turning a bad one into a rejection of the row naming the field."""
    try:
        return parse(value)
    except BadValueError as problem:
        raise RowError(field, str(problem)) from None


def _texts(items: Any) -> list[str]:
    """Return the non-empty texts of a list field without repeats, in order."""
    found = [t for v in items or () if (t := text(v))]
    return list(dict.fromkeys(found)) if len(found) > 1 else found


def _areas(items: Any, warnings: list[RowWarning]) -> list[str]:
    """Return the area codes; unknown ones are left out with a warning."""
    areas = []
    for item in _texts(items):
        try:
            areas.append(normalize_area(item))
        except BadValueError as problem:
            warnings.append(RowWarning("areas", f"{problem}; left out"))
    return list(dict.fromkeys(areas))


def _age(values: dict, name: str) -> int | None:
    """Return an age in years, or None if not given."""
    value = values.get(name)
    if text_or_none(value) is None:
        return None
    age = _checked(name, parse_int, value)
    if not 0 <= age <= MAX_AGE:
        raise RowError(name, f"{name} {age} is not an age in years (0 to {MAX_AGE})")
    return age


def _sessions(values: dict) -> list[tuple[datetime, datetime | None]]:
    """Return the dated sessions from `sessions` and from `starts_at`/`ends_at`, sorted."""
    sessions = [_checked("sessions", parse_session, item) for item in values.get("sessions") or []]
    start = values.get("starts_at")
    if text_or_none(start) is not None or isinstance(start, datetime):
        begins = _checked("starts_at", parse_datetime, start)
        end = values.get("ends_at")
        ends = None
        if isinstance(end, datetime):
            ends = end
        elif text_or_none(end) is not None:
            ends = _checked("ends_at", lambda v: session_end(begins, text(v), text(v)), end)
        if ends is not None and ends < begins:
            raise RowError("ends_at", "the session ends before it starts")
        sessions.append((begins, ends))
    return sorted(dict.fromkeys(sessions), key=lambda s: (s[0], s[1] or s[0]))
