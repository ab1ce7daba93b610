"""Headers spread over several rows (statistics tables): one name per column, title lines."""

from __future__ import annotations

import re
from typing import Any

from .records import ImportFileError
from .values import text

SEPARATOR = " / "  # between the labels of one column, top row first
_FOOTNOTE = re.compile(r"^(?P<label>.*?\S)\s*\d{1,2}\)$")


def label(value: Any) -> str:
    """Return a header cell as one line of text, without a footnote mark ('Bevölkerung2)')."""
    words = " ".join(text(value).split())
    match = _FOOTNOTE.match(words)
    # Only an unbalanced ')' is a footnote mark: 'Alter (65)' keeps its number.
    if match and words.count("(") < words.count(")"):
        return match["label"]
    return words


def combine_header(rows: list[list[Any]]) -> list[str]:
    """Name each column by its labels in the header rows, top to bottom, joined by ' / '.

    Excel keeps the text of merged cells in the first cell only, so an empty cell takes
    its left neighbour's label when it lies under the same group: in the top row when the
    column has labels further down, in lower rows when the row above repeats the label.
    Columns without any label are named '' (the readers call them 'column N').
    """
    width = max((len(row) for row in rows), default=0)
    grid = [[label(v) for v in row] + [""] * (width - len(row)) for row in rows]
    for i, row in enumerate(grid):
        for j in range(1, width):
            if row[j] or not row[j - 1]:
                continue
            if i == 0:
                merged = any(grid[k][j] for k in range(1, len(grid)))
            else:
                above = grid[i - 1]
                merged = bool(above[j]) and above[j] == above[j - 1]
            if merged:
                row[j] = row[j - 1]
    return [SEPARATOR.join(row[j] for row in grid if row[j]) for j in range(width)]


def title_lines(rows: list[list[Any]]) -> list[str]:
    """Return the filled rows above a header as lines of text (they often hold the date)."""
    lines = [" ".join(text(v) for v in row if text(v)) for row in rows]
    return [line for line in lines if line]


def header_rows(spec: tuple[int, int], available: int, name: str) -> tuple[int, int]:
    """Check that the header rows the mapping names exist; return them as indexes."""
    first, last = spec
    if last > available:
        raise ImportFileError(
            f"file {name}: the mapping puts the header on rows {first}–{last}, "
            f"but the file has only {available} rows"
        )
    return first - 1, last


def unique_names(names: list[str], name: str) -> list[str]:
    """Name unlabelled columns 'column N'; refuse two columns with the same name."""
    columns = [label or f"column {i}" for i, label in enumerate(names, start=1)]
    while columns and columns[-1] == f"column {len(columns)}":
        columns.pop()  # empty columns at the end (a trailing delimiter)
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise ImportFileError(
            f"file {name}: columns named more than once in the header rows: {', '.join(repeated)}"
        )
    return columns
