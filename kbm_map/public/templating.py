"""Template helpers of the public pages."""

from __future__ import annotations

from flask import Flask, current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..finding import language_name
from .formatting import age_text, cost_text, date_text, opening_hours_text, yes_no

OFFER_TYPES = {
    "course": _l("Kurs"),
    "counselling": _l("Beratung"),
    "event": _l("Veranstaltung"),
    "service": _l("Offenes Angebot"),
}


def offer_type_label(value: str) -> str:
    """Return the name of an offer type in the UI language."""
    return str(OFFER_TYPES.get(value, value))


def report_url(kind: str, entity_id: int) -> str | None:
    """Link to the "report a change" form, where the staff area provides one."""
    if "reports.report_change" not in current_app.view_functions:
        return None
    return url_for("reports.report_change", kind=kind, id=entity_id)


def init_app(app: Flask) -> None:
    """Register the helpers and filters."""
    app.jinja_env.filters["language_name"] = lambda code: language_name(code, str(get_locale()))
    app.jinja_env.filters["term_label"] = lambda labels: (
        labels.get(str(get_locale())) or labels.get("de") or ""
    )

    @app.context_processor
    def helpers():
        """Expose the formatting helpers to every template."""
        return {
            "offer_type_label": offer_type_label,
            "cost_text": cost_text,
            "date_text": date_text,
            "opening_hours_text": opening_hours_text,
            "yes_no": yes_no,
            "age_text": age_text,
            "report_url": report_url,
        }
