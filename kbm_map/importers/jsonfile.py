"""Read JSON files holding a list of records (or an object with one such list)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .csvfile import decode
from .records import ImportFileError, RawRecord, RecordSource, Rejection

# GeoJSON MultiPolygons nest 5 levels inside a feature collection's 3; records far fewer.
MAX_DEPTH = 64


def load_json(path: Path) -> Any:
    """Parse a JSON file, turning syntax errors into a clear file error."""
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFileError(f"file {path.name}: is empty")
    text, _ = decode(raw, path.name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"file {path.name}: is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from None
    except RecursionError:
        document = None  # deeper than Python's parser goes: said below like any deep file
        depth = MAX_DEPTH + 1
    else:
        depth = nesting_depth(document)
    if depth > MAX_DEPTH:
        raise ImportFileError(
            f"file {path.name}: nests objects or lists more than {MAX_DEPTH} levels deep; "
            "records, their properties and geometries need far fewer"
        )
    return document


def nesting_depth(document: Any) -> int:
    """Return how deeply lists and objects nest in a parsed document (a scalar is 0)."""
    deepest = 0
    stack = [(document, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            stack.extend((child, depth + 1) for child in children)
    return deepest


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested objects into dotted keys: {'address': {'city': 'X'}} -> 'address.city'."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def record_list(document: Any, name: str) -> list[Any]:
    """Return the list of records: the document itself, or an object's only list member."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        lists = [key for key, value in document.items() if isinstance(value, list)]
        if len(lists) == 1:
            return document[lists[0]]
        raise ImportFileError(
            f"file {name}: expected a list of records or an object with one list member, "
            f"found an object with {len(lists)} list members ({', '.join(lists) or 'none'})"
        )
    raise ImportFileError(
        f"file {name}: expected a list of records, found {type(document).__name__}"
    )


def records_source(path: Path, document: Any) -> RecordSource:
    """Build a record source from a parsed JSON document holding records."""
    items = record_list(document, path.name)
    if not items:
        raise ImportFileError(f"file {path.name}: the list of records is empty")
    columns: dict[str, None] = {}
    for item in items:
        if isinstance(item, dict):
            columns.update(dict.fromkeys(flatten(item)))

    def rows() -> Iterator[RawRecord | Rejection]:
        """Yield the records numbered from 1."""
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                yield Rejection(path.name, number, None, "is not an object with named values")
                continue
            yield RawRecord(row=number, data=flatten(item))

    return RecordSource(path=path, format="json", columns=list(columns), read=rows, tabular=False)


def read_json_records(path: Path) -> RecordSource:
    """Open a JSON file of records."""
    return records_source(path, load_json(path))
