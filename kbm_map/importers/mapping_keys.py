"""Mapping keys for statistics tables: header rows, missing values, filters, age groups, date."""

from __future__ import annotations

from datetime import date
from typing import Any

from .schedule import parse_date
from .values import BadValueError, normalize_age_group, text

TITLE = "title"  # [import] date = "title": the reference date is in the title lines


def header_rows(value: Any) -> tuple[int, int] | None:
    """Read header = 3 or header = [3, 5] (first and last row, counted from 1)."""
    if value is None:
        return None
    rows = [value] * 2 if isinstance(value, int) else value
    if (
        not isinstance(rows, list)
        or len(rows) != 2
        or not all(isinstance(r, int) and not isinstance(r, bool) and r >= 1 for r in rows)
        or rows[1] < rows[0]
    ):
        raise BadValueError(
            f"[import] header must be a row number or [first, last] (e.g. [3, 5]), not {value!r}"
        )
    return rows[0], rows[1]


def texts(value: Any, where: str) -> list[str]:
    """Return a string or list of strings as a list of stripped texts."""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in items):
        raise BadValueError(f"{where} must be a text or a list of texts, not {value!r}")
    return [text(v) for v in items]


def filters(table: dict[str, Any]) -> tuple[tuple[str, frozenset[str]], ...]:
    """Read [filter]: column = value or [values] a row must hold to be read."""
    return tuple(
        (column, frozenset(texts(values, f"[filter] {column}"))) for column, values in table.items()
    )


def age_group_columns(table: Any, target: str) -> dict[str, str]:
    """Read [age_groups]: canonical age group = the column (or template) holding its figure."""
    if not table:
        return {}
    if target != "population" or not isinstance(table, dict):
        raise BadValueError('[age_groups] is for target = "population" only')
    groups: dict[str, str] = {}
    for key, column in table.items():
        group = normalize_age_group(key)
        if group in groups:
            raise BadValueError(f"[age_groups] names the age group {group!r} twice")
        if not isinstance(column, str) or not column.strip():
            raise BadValueError(
                f"[age_groups] {key} must be a column name in quotes, not {column!r}"
            )
        groups[group] = column
    return groups


def reference_date(value: Any, target: str) -> date | str | None:
    """Read date = "title", a TOML date, "2022-12-31" or "31.12.2022"."""
    if value is None:
        return None
    if target != "population":
        raise BadValueError('[import] date is for target = "population" only')
    if isinstance(value, date):
        return value
    if value == TITLE:
        return TITLE
    try:
        return parse_date(value) if isinstance(value, str) else parse_date(None)
    except BadValueError:
        raise BadValueError(
            f'[import] date must be "title" or a date (2022-12-31, 31.12.2022), not {value!r}'
        ) from None


def flag(value: Any, where: str) -> bool:
    """Return a TOML boolean or complain."""
    if not isinstance(value, bool):
        raise BadValueError(f"{where} must be true or false, not {value!r}")
    return value
