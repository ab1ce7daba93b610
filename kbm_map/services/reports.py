"""Public change reports and offer suggestions: receive, list, accept through the edit path."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..errors import KbmMapError
from ..extensions import db
from ..models import ChangeReport, Location, Offer, ReportKind, ReportStatus, Status, utcnow
from . import locations, offers
from .editing import EditResult

# Fields a citizen may propose a correction for, per kind of entry.
REPORTABLE = {
    "location": ("name", "street", "house_number", "postcode", "city", "phone", "email", "website"),
    "offer": ("title", "registration_phone", "registration_email", "registration_url"),
}
SUGGESTED = ("title", "description", "provider", "place", "dates", "contact", "website")
MAX_TEXT = 4000


class ReportError(KbmMapError):
    """A report cannot be handled as asked (already decided, entry gone)."""


def reported_entry(entity_type: str, entity_id: int):
    """Return the published entry a report is about, or None."""
    model = {"location": Location, "offer": Offer}.get(entity_type)
    entry = db.session.get(model, entity_id) if model else None
    return entry if entry is not None and entry.status == Status.PUBLISHED.value else None


def _clean(values: dict, allowed) -> dict:
    """Keep the allowed, non-empty values, trimmed to a sane length."""
    return {
        name: str(values[name]).strip()[:MAX_TEXT]
        for name in allowed
        if values.get(name) and str(values[name]).strip()
    }


def submit_change(entity_type: str, entity_id: int, message: str, proposed: dict, email, lang):
    """Put a citizen's change report into the moderation queue."""
    report = ChangeReport(
        kind=ReportKind.CHANGE.value,
        entity_type=entity_type,
        entity_id=entity_id,
        message=(message or "").strip()[:MAX_TEXT],
        proposed=_clean(proposed, REPORTABLE[entity_type]),
        reporter_email=(email or "").strip()[:255] or None,
        language=lang,
    )
    db.session.add(report)
    db.session.commit()
    return report


def submit_suggestion(values: dict, email, lang) -> ChangeReport:
    """Put a citizen's suggestion of a new offer into the moderation queue."""
    report = ChangeReport(
        kind=ReportKind.SUGGESTION.value,
        message=(values.get("message") or "").strip()[:MAX_TEXT],
        proposed=_clean(values, SUGGESTED),
        reporter_email=(email or "").strip()[:255] or None,
        language=lang,
    )
    db.session.add(report)
    db.session.commit()
    return report


def open_count() -> int:
    """Count the reports waiting for a decision."""
    stmt = select(func.count()).select_from(ChangeReport)
    return db.session.scalar(stmt.where(ChangeReport.status == ReportStatus.OPEN.value)) or 0


def queue(status: str = ReportStatus.OPEN.value, limit: int = 200) -> list[ChangeReport]:
    """Return reports with a status, oldest open ones first."""
    stmt = select(ChangeReport).where(ChangeReport.status == status)
    order = ChangeReport.id if status == ReportStatus.OPEN.value else ChangeReport.id.desc()
    return list(db.session.scalars(stmt.order_by(order).limit(limit)))


def target(report: ChangeReport):
    """Return the entry a change report is about (any status), or None."""
    model = {"location": Location, "offer": Offer}.get(report.entity_type or "")
    return db.session.get(model, report.entity_id) if model else None


def _decide(report: ChangeReport, status: str, user, note: str | None, result_id=None) -> None:
    """Record the decision on a report."""
    report.status, report.decided_at = status, utcnow()
    report.decided_by_id = getattr(user, "id", None)
    report.decision_note = (note or "").strip() or None
    report.result_id = result_id
    db.session.commit()


def _check_open(report: ChangeReport) -> None:
    """Refuse to decide twice."""
    if report.status != ReportStatus.OPEN.value:
        raise ReportError(str(_l("Diese Meldung ist schon entschieden.")))


def accept_change(report: ChangeReport, values: dict, user, note: str | None = None):
    """Apply the (possibly corrected) values through the normal edit path, then close."""
    _check_open(report)
    entry = target(report)
    if entry is None:
        raise ReportError(str(_l("Den gemeldeten Eintrag gibt es nicht mehr.")))
    origin = f"report:{report.id}"
    if isinstance(entry, Location):
        result = locations.update_location(entry, values, user, origin=origin)
    else:
        result = offers.update_offer(entry, values, user, origin=origin)
    _decide(report, ReportStatus.ACCEPTED.value, user, note, entry.id)
    return result


def accept_suggestion(report: ChangeReport, values: dict, user, note=None) -> EditResult:
    """Create a draft offer from a suggestion for staff to complete, then close."""
    _check_open(report)
    result = offers.create_offer(
        {**values, "status": Status.DRAFT.value}, user, origin=f"report:{report.id}"
    )
    _decide(report, ReportStatus.ACCEPTED.value, user, note, result.entity.id)
    return result


def decline(report: ChangeReport, user, note: str | None = None) -> None:
    """Close a report without changing anything."""
    _check_open(report)
    _decide(report, ReportStatus.DECLINED.value, user, note)
