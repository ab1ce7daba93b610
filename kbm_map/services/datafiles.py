"""Find mapping files and open input files for the import services, with errors for people."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .. import PROJECT_ROOT
from ..errors import KbmMapError
from ..importers import (
    ImportFileError,
    IsUnchanged,
    MappedRecord,
    Mapping,
    RecordSource,
    Rejection,
    Unchanged,
    apply_mapping,
    load_mapping,
    open_records,
)

MAPPINGS_DIR = PROJECT_ROOT / "geodata" / "mappings"


class DataFileError(KbmMapError):
    """An input file or mapping cannot be used; nothing was written."""


def resolve_mapping(name: str | Path) -> Path:
    """Return the mapping file: a path, or the name of a shipped one ('jedeschule-schulen')."""
    path = Path(name).expanduser()
    if path.is_file():
        return path.resolve()
    shipped = MAPPINGS_DIR / (path.name if path.suffix == ".toml" else f"{path.name}.toml")
    if len(path.parts) == 1 and shipped.is_file():
        return shipped
    available = ", ".join(sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml")))
    raise DataFileError(
        f"mapping {name}: no such file, and no shipped mapping of that name (shipped: {available})"
    )


def read_mapping(name: str | Path, target: str) -> Mapping:
    """Load a mapping and check that it is for the expected target."""
    try:
        mapping = load_mapping(resolve_mapping(name))
    except ImportFileError as problem:
        raise DataFileError(str(problem)) from None
    targets = (target,) if isinstance(target, str) else target
    if mapping.target not in targets:
        raise DataFileError(
            f"mapping {mapping.name}: is for target {mapping.target!r}, but this command "
            f"imports {' or '.join(targets)}"
        )
    return mapping


def open_source(path: str | Path, mapping: Mapping) -> RecordSource:
    """Open an input file for a mapping; raise DataFileError saying what is wrong."""
    try:
        return open_records(path, mapping)
    except ImportFileError as problem:
        raise DataFileError(str(problem)) from None


def mapped_records(
    path: str | Path,
    mapping: Mapping,
    records: RecordSource | None = None,
    region_bbox: tuple[float, float, float, float] | None = None,
    unchanged: IsUnchanged | None = None,
) -> Iterator[MappedRecord | Rejection | Unchanged]:
    """Open a file (or use the records given) and apply the mapping; raise DataFileError.

    With `unchanged`, rows it accepts are passed on unmapped (see `apply_mapping`).
    """
    try:
        source = records if records is not None else open_records(path, mapping)
        results = apply_mapping(source, mapping, region_bbox=region_bbox, unchanged=unchanged)
    except ImportFileError as problem:
        raise DataFileError(str(problem)) from None
    return _file_errors_as_data_errors(results)


def _file_errors_as_data_errors(results) -> Iterator[MappedRecord | Rejection | Unchanged]:
    """Pass results on; a file error found while reading becomes a DataFileError."""
    try:
        yield from results
    except ImportFileError as problem:
        raise DataFileError(str(problem)) from None
