"""Numbers and dates as the reader writes them: 69.968 and 1,23 in German, 69,968 in English."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask import has_app_context
from flask_babel import get_locale

MISSING = "–"  # a value that cannot be computed (no population figure)


def ui_locale() -> str:
    """Return the UI language in effect, German outside an app context."""
    if has_app_context():
        locale = get_locale()
        if locale is not None:
            return str(locale)
    return "de"


def number(value: float | None, decimals: int = 0, locale: str | None = None) -> str:
    """Format a number with grouping and a fixed count of decimals ("69.968", "1,23")."""
    if value is None:
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale or ui_locale())


def percent(share: float | None, locale: str | None = None) -> str:
    """Format a share between 0 and 1 as a whole percentage ("91 %")."""
    if share is None:
        return MISSING
    return format_percent(share, format="#,##0 %", locale=locale or ui_locale())


def day(value: dt.date | None, locale: str | None = None) -> str:
    """Format a date in the short numeric form ("31.12.2022")."""
    if value is None:
        return MISSING
    return format_date(value, "medium", locale=locale or ui_locale())


def signed(value: float | None, decimals: int = 0, locale: str | None = None) -> str:
    """Format a change with its sign ("+3", "−0,25"; zero without sign)."""
    if value is None:
        return MISSING
    text = number(abs(value), decimals, locale)
    if text == number(0, decimals, locale):
        return text
    return ("+" if value > 0 else "\u2212") + text
