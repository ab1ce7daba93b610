"""Staff edits of Angebote: validate, write, audit, protect from imports, update the index."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import CostKind, Location, Offer, OfferType, Status, Vocabulary
from . import validation as v
from .editing import (
    STAFF,
    EditError,
    EditResult,
    Field,
    apply_values,
    audit,
    commit_and_index,
    mark_edited,
    new_slug,
    status_action,
)

FIELDS = {
    f.name: f
    for f in (
        *(Field(n, "text") for n in ("title", "description", "offer_type", "cost_kind")),
        *(Field(n, "text") for n in ("cost_note", "funding", "registration_url")),
        *(Field(n, "text") for n in ("registration_phone", "registration_email")),
        *(Field(n, "text") for n in ("recurrence", "schedule_note", "status")),
        Field("online", "bool"),
        Field("min_age", "int"),
        Field("max_age", "int"),
        Field("languages", "list"),
        Field("cost_amount", "decimal"),
        Field("valid_from", "date"),
        Field("valid_until", "date"),
        Field("organization", "fk", "organization_id"),
        Field("areas", "terms"),
        Field("topics", "terms"),
        Field("target_groups", "terms"),
        Field("locations", "locations"),
        Field("sessions", "sessions"),
    )
}
VOCABULARIES = {
    "areas": Vocabulary.AREA.value,
    "topics": Vocabulary.TOPIC.value,
    "target_groups": Vocabulary.TARGET_GROUP.value,
}
SESSION_LINE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})"
    r"(?:\s*[-–]\s*(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{1,2}:\d{2}))?$"
)


def parse_sessions(text: str) -> list[tuple[datetime, datetime | None]]:
    """Read one session a line ('2026-03-02 18:00 - 20:00'); raise EditError on bad lines."""
    sessions, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = SESSION_LINE.match(line)
        try:
            start = datetime.fromisoformat(f"{match[1]} {match[2]:0>5}") if match else None
            end = (
                datetime.fromisoformat(f"{match[3] or match[1]} {match[4]:0>5}")
                if match and match[4]
                else None
            )
        except ValueError:
            start = None
        if start is None:
            errors.append(v.MESSAGES["session"] % {"line": number})
        elif end is not None and end < start:
            errors.append(v.MESSAGES["session_order"] % {"line": number})
        else:
            sessions.append((start, end))
    if errors:
        raise EditError({"sessions": " ".join(errors)})
    return sorted(sessions)


def sessions_text(offer: Offer) -> str:
    """Write an offer's sessions the way `parse_sessions` reads them."""
    lines = []
    for session in offer.sessions:
        line = session.starts_at.strftime("%Y-%m-%d %H:%M")
        if session.ends_at:
            same_day = session.ends_at.date() == session.starts_at.date()
            line += " - " + session.ends_at.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
        lines.append(line)
    return "\n".join(lines)


def validate(values: dict) -> dict[str, str]:
    """Return {field: message} for values that cannot be saved."""
    errors = {}
    if "title" in values and not (values["title"] or "").strip():
        errors["title"] = v.MESSAGES["required"]
    for name, check in (
        ("registration_url", v.url_problem),
        ("registration_email", v.email_problem),
        ("registration_phone", v.phone_problem),
    ):
        problem = check(values.get(name))
        if problem:
            errors[name] = problem
    for name in ("min_age", "max_age"):
        age = values.get(name)
        if age is not None and not 0 <= int(age) <= 120:
            errors[name] = v.MESSAGES["age_range"]
    low, high = values.get("min_age"), values.get("max_age")
    if low is not None and high is not None and int(low) > int(high) and "max_age" not in errors:
        errors["max_age"] = v.MESSAGES["ages"]
    start, end = values.get("valid_from"), values.get("valid_until")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["valid_until"] = v.MESSAGES["dates"]
    choices = {
        "offer_type": {t.value for t in OfferType},
        "cost_kind": {c.value for c in CostKind},
        "status": {s.value for s in Status},
    }
    for name, allowed in choices.items():
        if values.get(name) not in (None, *allowed):
            errors[name] = v.MESSAGES["choice"]
    amount = values.get("cost_amount")
    if amount is not None and amount < 0:
        errors["cost_amount"] = v.MESSAGES["amount"]
    elif values.get("cost_kind") == CostKind.AMOUNT.value and amount is None:
        errors["cost_amount"] = v.MESSAGES["amount_missing"]
    errors.update(_missing_locations(values.get("locations") or []))
    return errors


def _missing_locations(ids: list[int]) -> dict[str, str]:
    """Complain about Lernort ids that do not exist."""
    if not ids:
        return {}
    found = set(db.session.scalars(select(Location.id).where(Location.id.in_(ids))))
    missing = [i for i in ids if i not in found]
    return {"locations": v.MESSAGES["location_missing"] % {"id": missing[0]}} if missing else {}


def create_offer(values: dict, user=None, origin: str = STAFF) -> EditResult:
    """Create an Angebot (a draft unless a status is given)."""
    _check(values)
    offer = Offer(slug=new_slug(Offer, values["title"]), languages=[], edited_fields=[])
    defaults = {
        "status": Status.DRAFT.value,
        "offer_type": OfferType.COURSE.value,
        "cost_kind": CostKind.UNKNOWN.value,
        "online": False,
    }
    values = {**defaults, **{k: v for k, v in values.items() if v is not None}}
    changes = apply_values(offer, FIELDS, values, VOCABULARIES)
    db.session.add(offer)
    db.session.flush()
    audit(offer, "create", changes, origin, user)
    mark_edited(offer, changes)
    return _finish(offer, changes)


def update_offer(offer: Offer, values: dict, user=None, origin: str = STAFF) -> EditResult:
    """Change an Angebot's fields; fields changed by hand are kept by later imports."""
    return _finish(offer, _apply(offer, values, user, origin))


def _apply(offer: Offer, values: dict, user, origin: str) -> dict:
    """Validate and write values, audit them; the caller commits."""
    _check(values)
    changes = apply_values(offer, FIELDS, values, VOCABULARIES)
    if changes:
        audit(offer, status_action(changes), changes, origin, user)
        mark_edited(offer, changes)
    return changes


def bulk_set_status(entries: list[Offer], status: str, user=None) -> int:
    """Give many Angebote one status with one commit and one index update."""
    changed = [e for e in entries if _apply(e, {"status": status}, user, STAFF)]
    commit_and_index(entries, [])
    return len(changed)


def set_status(offer: Offer, status: str, user=None, origin: str = STAFF) -> EditResult:
    """Publish, archive or restore an Angebot."""
    return update_offer(offer, {"status": status}, user, origin)


def _check(values: dict) -> None:
    """Raise EditError when values cannot be saved."""
    errors = validate(values)
    if errors:
        raise EditError(errors)


def _finish(offer: Offer, changes: dict) -> EditResult:
    """Commit and update the search index."""
    result = EditResult(offer, changes)
    commit_and_index([offer], result.warnings)
    return result
