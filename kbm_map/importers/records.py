"""Plain records that flow from a file reader through a mapping to the import service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

# A point is (lon, lat) in WGS84; areas (Gemeinden) are shapely geometries in WGS84.
Geometry = tuple[float, float] | BaseGeometry


class ImportFileError(Exception):
    """A problem with a whole file (or mapping) that stops its import."""


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
        """Read the records (again) from the file."""
        return self.read()


def _where(file: str, row: int | None, field_name: str | None) -> str:
    """Format the location part of a message: 'file, row 5, field postcode: '."""
    parts = [f"file {file}"] if file else []
    if row is not None:
        parts.append(f"row {row}")
    if field_name:
        parts.append(f"field {field_name}")
    return ", ".join(parts) + (": " if parts else "")
