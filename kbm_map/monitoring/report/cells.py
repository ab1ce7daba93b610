"""Cells of spreadsheets and CSV files that Excel must not read as formulas."""

from __future__ import annotations

# A text starting with one of these is run as a formula by Excel and LibreOffice (OWASP CSV
# injection); names and labels come from imported files, so any of them may.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """Tell whether a spreadsheet would take this text for a formula."""
    return text.startswith(FORMULA_START)


def defused(text: str) -> str:
    """Return text that a spreadsheet shows as text: formula-like text gets a leading '."""
    return "'" + text if formula_like(text) else text
