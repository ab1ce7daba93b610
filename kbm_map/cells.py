"""Cells of spreadsheets and CSV files that Excel must not read as formulas (one helper for all).

Used by every CSV/XLSX file the project writes: the open-data exports, the committee report
(CSV and XLSX) and the rejected-rows report of imports.
"""

from __future__ import annotations

from decimal import Decimal

# A text starting with one of these is run as a formula by Excel and LibreOffice (OWASP CSV
# injection); names and labels come from imported files, so any of them may.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """Tell whether a spreadsheet would take this text for a formula."""
    return text.startswith(FORMULA_START)


def defused(text: str) -> str:
    """Return text that a spreadsheet shows as text: formula-like text gets a leading '."""
    return "'" + text if formula_like(text) else text


def csv_cell(value, text: str) -> str:
    """Return a CSV field for `value` written as `text`: numbers stay as they are (also
    negative ones), any other text is defused."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return text
    return defused(text)


def undefused(text: str) -> str:
    """Undo `defused` when reading a CSV back: '=x becomes =x again, other text is kept."""
    return text[1:] if text.startswith("'") and formula_like(text[1:]) else text
