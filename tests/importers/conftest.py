"""Fixtures for the importer tests: shipped mappings, file writers, a map-and-split runner.

The real data files come from the `shared_data` fixture of tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kbm_map.importers import (
    MappedRecord,
    Mapping,
    Rejection,
    apply_mapping,
    load_mapping,
    open_records,
    parse_mapping,
)

REPO = Path(__file__).resolve().parents[2]
MAPPINGS = REPO / "geodata" / "mappings"


@pytest.fixture
def shipped() -> Callable[[str], Mapping]:
    """Return a loader for the mappings shipped in geodata/mappings."""
    return lambda name: load_mapping(MAPPINGS / f"{name}.toml")


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, bytes | str], Path]:
    """Return a function that writes a file into tmp_path (text is written as UTF-8)."""

    def _write(name: str, content: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return _write


SIMPLE = """
[import]
target = "location"
id = "ID"

[columns]
name = "Name"
address = "Adresse"
lat = "Breite"
lon = "Länge"
"""


@pytest.fixture
def simple_mapping() -> Mapping:
    """Return a small mapping for files with ID, Name, Adresse, Breite, Länge."""
    return parse_mapping(SIMPLE, "simple.toml")


Imported = tuple[list[MappedRecord], list[Rejection]]


@pytest.fixture
def run() -> Callable[..., Imported]:
    """Return a function that opens and maps a file into (mapped records, rejections)."""

    def _run(path: Path, mapping: Mapping, **region) -> Imported:
        results = list(apply_mapping(open_records(path, mapping), mapping, **region))
        mapped = [r for r in results if isinstance(r, MappedRecord)]
        rejected = [r for r in results if isinstance(r, Rejection)]
        return mapped, rejected

    return _run
