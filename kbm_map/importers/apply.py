"""Apply a mapping to raw records: file-level checks, then one target record per row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from shapely.geometry.base import BaseGeometry

from .builders import BUILDERS
from .fields import RowError, Surroundings
from .fingerprint import record_fingerprint
from .header import SEPARATOR
from .mapping import Mapping
from .records import (
    READ_ERRORS,
    ImportFileError,
    MappedRecord,
    RawRecord,
    Rejection,
    RowWarning,
    Unchanged,
    describe_error,
)
from .targets import REQUIRED
from .values import text

Result = MappedRecord | Rejection | Unchanged
# Told a row's id and its record's fingerprint, says whether the row may stay unmapped.
IsUnchanged = Callable[[str, str], bool]


def apply_mapping(
    records: Iterable[RawRecord | Rejection],
    mapping: Mapping,
    region_bbox: tuple[float, float, float, float] | None = None,
    region_area: BaseGeometry | None = None,
    unchanged: IsUnchanged | None = None,
) -> Iterator[Result]:
    """Turn records into target records or rejections; raise ImportFileError for file problems.

    `region_bbox` is (min_lon, min_lat, max_lon, max_lat) in WGS84; `region_area` is the
    region's outline (e.g. the union of its Gemeinden). Locations outside them are rejected,
    or swapped back when latitude and longitude were swapped in the file.

    With `unchanged` (for mappings with an id), every mapped record carries its raw record's
    fingerprint, and a row that `unchanged` accepts is passed on as Unchanged, unmapped.
    """
    file = getattr(records, "name", "")
    iterator = iter(records)
    columns = getattr(records, "columns", None)
    first: list[RawRecord | Rejection] = []
    if columns is None:
        # A plain iterable: learn the columns from the first record.
        for item in iterator:
            first.append(item)
            if isinstance(item, RawRecord):
                break
        columns = list(first[-1].data) if first and isinstance(first[-1], RawRecord) else []
        if not first:
            raise ImportFileError(f"file {file}: contains no records")
    try:
        bound = bind(mapping, columns, getattr(records, "tabular", True), file)
    except READ_ERRORS as error:  # column names no spreadsheet has (a malformed file)
        raise ImportFileError(
            f"file {file}: its column names cannot be read: {describe_error(error)}"
        ) from None
    surroundings = Surroundings(region_bbox, region_area)
    if bound.id is None:
        unchanged = None
    return _results(file, _chain(first, iterator), bound, surroundings, unchanged)


def _key_or_none(mapping: Mapping, item: RawRecord) -> str | None:
    """Return a row's id as text for a rejection, or None if even that cannot be read."""
    try:
        return text(mapping.id.value(item.data)) or None if mapping.id else None
    except (*READ_ERRORS, RowError):
        return None


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    """Yield the peeked records, then the rest."""
    yield from first
    yield from rest


def _results(
    file: str,
    items: Iterator[RawRecord | Rejection],
    mapping: Mapping,
    surroundings: Surroundings,
    unchanged: IsUnchanged | None,
) -> Iterator[Result]:
    """Build each row; pass on rejections; reject repeated ids, naming the first row."""
    build = BUILDERS[mapping.target]
    first_row: dict[str, int] = {}
    fingerprint = None
    for item in items:
        if isinstance(item, Rejection):
            yield item
            continue
        if mapping.filters and not mapping.accepts(item.data):
            continue
        if unchanged is not None:
            fingerprint = record_fingerprint(item)
            key = text(mapping.id.value(item.data)) or None
            # A repeated id goes the usual way below, so that it is rejected as before.
            if key is not None and key not in first_row and unchanged(key, fingerprint):
                first_row[key] = item.row
                yield Unchanged(file, item.row, key)
                continue
        warnings: list[RowWarning] = []
        try:
            record, key = build(item, mapping, surroundings, warnings)
        except RowError as problem:
            key = mapping.id.value(item.data) if mapping.id else None
            yield Rejection(file, item.row, problem.field, problem.reason, text(key) or None)
            continue
        except READ_ERRORS as error:  # a value no rule foresaw (a malformed file)
            reason = f"cannot be read: {describe_error(error)}"
            yield Rejection(file, item.row, None, reason, _key_or_none(mapping, item))
            continue
        if key is not None:
            if key in first_row:
                yield Rejection(
                    file,
                    item.row,
                    "id",
                    f"id {key!r} was already used in row {first_row[key]}; this row was skipped",
                    key,
                )
                continue
            first_row[key] = item.row
        yield MappedRecord(file, item.row, record, warnings, fingerprint)


def bind(mapping: Mapping, columns: list[str], tabular: bool, file: str) -> Mapping:
    """Match the mapping's column names to the file's; raise if needed columns are missing."""
    exact = set(columns)
    folded = {" ".join(c.split()).casefold(): c for c in columns}
    names: dict[str, str] = {}

    def present(column: str) -> bool:
        """Tell whether the file has the column, recording its spelling there."""
        if column in exact:
            return True
        actual = folded.get(" ".join(column.split()).casefold()) or _led_by(column, folded)
        if actual is not None:
            names[column] = actual
        return actual is not None

    missing: list[str] = []
    required = set(mapping.required_columns())

    def need(columns_: tuple[str, ...], purpose: str, must: bool) -> None:
        """Note the columns that are missing though the mapping relies on them."""
        for column in columns_:
            if not present(column) and (must or column in required):
                missing.append(f"{column!r} (for {purpose})")

    if mapping.id is not None:
        need(mapping.id.columns, "id", True)
    for rule in mapping.rules.values():
        available = [s for s in rule.sources if all(present(c) for c in s.columns)]
        if not available and (tabular or rule.field in required_fields(mapping)):
            need(rule.sources[0].columns, rule.field, True)
    for target_field, pairs in mapping.flags.items():
        need(tuple(c for c, _ in pairs), f"flags of {target_field}", tabular)
    for key, expression in mapping.extra.items():
        need(expression.columns, f"extra {key}", tabular)
    for column, _ in mapping.filters:
        need((column,), "filter", True)
    for group, expression in mapping.age_groups.items():
        need(expression.columns, f"age group {group}", True)
    if missing:
        raise ImportFileError(
            f"file {file}: mapping {mapping.name} needs the column(s) {', '.join(missing)}, "
            f"which the file does not have. The file's columns are: {', '.join(columns)}"
        )
    return mapping.renamed(names) if names else mapping


def _led_by(column: str, folded: dict[str, str]) -> str | None:
    """Return the one column whose header labels begin with these ('Bevölkerung / insgesamt').

    Lower header rows often hold a date ('am 31.12.2022'), so a mapping may leave them out.
    """
    lead = " ".join(column.split()).casefold() + SEPARATOR
    found = [actual for name, actual in folded.items() if name.startswith(lead)]
    return found[0] if len(found) == 1 else None


def required_fields(mapping: Mapping) -> set[str]:
    """Return the fields every row needs for this mapping's target."""
    return set(REQUIRED[mapping.target])
