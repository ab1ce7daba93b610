"""Import the postcode gazetteer that places addresses without coordinates."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert

from ..extensions import db
from ..geo.gazetteer import place_key
from ..importers import MappedRecord, Rejection
from ..models import PostcodePlace
from .datafiles import DataFileError, mapped_records, read_mapping

DEFAULT_MAPPING = "geonames-plz"
_CHUNK = 5_000


@dataclass
class GazetteerSummary:
    """What a gazetteer import did."""

    places: int = 0
    postcodes: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0


def import_gazetteer(
    path: str | Path,
    mapping: str | Path = DEFAULT_MAPPING,
    progress: Callable[[int], None] | None = None,
) -> GazetteerSummary:
    """Replace the gazetteer with the places of a file, in one transaction."""
    began = time.perf_counter()
    rules = read_mapping(mapping, "gazetteer")
    summary = GazetteerSummary()
    postcodes: set[str] = set()
    rows: list[dict] = []
    try:
        db.session.execute(delete(PostcodePlace))
        for result in mapped_records(path, rules):
            if isinstance(result, Rejection):
                summary.rejected.append(result)
                continue
            rows.append(_row(result))
            postcodes.add(rows[-1]["postcode"])
            summary.places += 1
            if len(rows) == _CHUNK:
                _write(rows, progress)
        _write(rows, progress)
        if not postcodes:
            raise DataFileError(f"file {Path(path).name}: no row could be read; nothing changed")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    summary.postcodes = len(postcodes)
    summary.seconds = time.perf_counter() - began
    return summary


def _row(result: MappedRecord) -> dict:
    """Turn a gazetteer record into a table row."""
    record = result.record
    return {
        "postcode": record.postcode,
        "place": record.place[:255],
        "place_key": place_key(record.place)[:255],
        "community_code": record.community_code,
        "lon": record.lon,
        "lat": record.lat,
    }


def _write(rows: list[dict], progress: Callable[[int], None] | None) -> None:
    """Insert the collected rows and empty the list."""
    if rows:
        db.session.execute(insert(PostcodePlace), rows)
        if progress:
            progress(len(rows))
        rows.clear()
