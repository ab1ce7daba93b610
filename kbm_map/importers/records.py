"""Plain records that flow from a file reader through a mapping to the import service."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET  # noqa: N817 - the conventional name
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

# A point is (lon, lat) in WGS84; areas (Gemeinden) are shapely geometries in WGS84.
Geometry = tuple[float, float] | BaseGeometry


class ImportFileError(Exception):
    """A problem with a whole file (or mapping) that stops its import, said in one line."""

    def __init__(self, message: str) -> None:
        """Keep the message as one printable line: a file's own text may hold line breaks."""
        super().__init__(one_line(message, 10_000))


# What a malformed file can make a reader raise (ValueError covers UnicodeError and
# JSONDecodeError, ParseError is a SyntaxError): turned into one line naming file and row.
READ_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    RecursionError,
    OverflowError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ET.ParseError,
)
_MESSAGE_LENGTH = 200


def describe_error(error: BaseException) -> str:
    """Say in one short line what a reader's exception means for the person importing."""
    text = str(error)
    if isinstance(error, RecursionError):
        return "objects or lists are nested too deeply to be read"
    if isinstance(error, ValueError) and "integer string conversion" in text:
        limit = sys.get_int_max_str_digits()
        return f"holds a number of more than {limit:,} digits"
    if isinstance(error, UnicodeError):
        return f"holds text that is not valid Unicode ({type(error).__name__})"
    if isinstance(error, KeyError):
        return f"lacks the member {text}"
    if isinstance(error, zlib.error | EOFError | zipfile.BadZipFile):
        return f"is truncated or not properly compressed ({text or type(error).__name__})"
    return one_line(f"{text or type(error).__name__}")


def one_line(text: str, limit: int = _MESSAGE_LENGTH) -> str:
    """Return text as one printable line: blanks collapsed, cut to limit, no lone surrogates."""
    line = " ".join(str(text).split())
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return line.encode("utf-8", "backslashreplace").decode("utf-8")


def invalid_text(data: dict[str, Any]) -> str | None:
    """Return the first key or value (as text) that cannot be stored as UTF-8, if any."""
    for key, value in data.items():
        for item in (key, value):
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return one_line(item, 40)
    return None


@dataclass(frozen=True)
class RawRecord:
    """One row or feature as read from a file, before any mapping."""

    row: int  # the number a person sees: spreadsheet row (header = 1), feature or element number
    data: dict[str, Any]
    geometry: Geometry | None = None


@dataclass(frozen=True)
class Rejection:
    """A row that was not imported, and why."""

    file: str
    row: int | None
    field: str | None
    reason: str
    # The row's id, if it has one: a rejected row is still in the file, so an import keeps
    # the entry it imported earlier instead of treating it as withdrawn.
    key: str | None = None

    def __str__(self) -> str:
        """Describe the rejection as one line: where, then why."""
        return _where(self.file, self.row, self.field) + self.reason


@dataclass(frozen=True)
class RowWarning:
    """A value that was changed or dropped while the row itself was imported."""

    field: str | None
    message: str

    def __str__(self) -> str:
        """Describe the warning as one line."""
        return (f"field {self.field}: " if self.field else "") + self.message


@dataclass
class MappedRecord:
    """A row turned into a target record (location, offer, region, gazetteer or population)."""

    file: str
    row: int
    record: Any  # LocationRecord | OfferRecord | RegionRecord | GazetteerRecord | PopulationRecord
    warnings: list[RowWarning] = field(default_factory=list)
    fingerprint: str | None = None  # of the raw record, when the caller asked for fingerprints

    def describe_warnings(self) -> list[str]:
        """Return the warnings as lines that name file and row."""
        return [self.describe(w) for w in self.warnings]

    def describe(self, warning: RowWarning) -> str:
        """Return a warning about this row as a line that names file, row and field."""
        return _where(self.file, self.row, warning.field) + warning.message


@dataclass(frozen=True)
class Unchanged:
    """A row left unmapped because its record is as it was at the source's last import."""

    file: str
    row: int
    key: str


@dataclass
class RecordSource:
    """An opened input file: what was detected about it, and its records on iteration."""

    path: Path
    format: str  # csv, xlsx, geojson, osm, json
    columns: list[str]
    read: Callable[[], Iterator[RawRecord | Rejection]] = field(repr=False)
    # Tabular sources (CSV, XLSX) have a fixed header; others may lack a key in some records.
    tabular: bool = True
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    crs: str | None = None
    notes: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)  # lines above the header (table titles)

    @property
    def name(self) -> str:
        """Return the file name used in messages."""
        return self.path.name

    def __iter__(self) -> Iterator[RawRecord | Rejection]:
        """Read the records (again) from the file; a malformed part becomes an ImportFileError."""
        return _guarded(self.name, self.read(), check_text=not self.tabular)


def _guarded(name: str, records: Iterator, check_text: bool) -> Iterator[RawRecord | Rejection]:
    """Pass records on; reject text that is not Unicode; turn reader crashes into one line."""
    row = None
    try:
        for record in records:
            if isinstance(record, RawRecord):
                row = record.row
                bad = invalid_text(record.data) if check_text else None
                if bad is not None:
                    yield Rejection(name, row, None, f"holds text that is not valid Unicode: {bad}")
                    continue
            yield record
    except READ_ERRORS as error:
        where = f", after row {row}" if row is not None else ""
        problem = describe_error(error)
        raise ImportFileError(f"file {name}{where}: cannot be read: {problem}") from None


def _where(file: str, row: int | None, field_name: str | None) -> str:
    """Format the location part of a message: 'file, row 5, field postcode: '."""
    parts = [f"file {file}"] if file else []
    if row is not None:
        parts.append(f"row {row}")
    if field_name:
        parts.append(f"field {field_name}")
    return ", ".join(parts) + (": " if parts else "")
