"""Export published Lernorte and Angebote as GeoJSON, CSV or HSDS JSON, with attribution."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KbmMapError
from .formats import datapackage, feature, point, points, write_csv, write_json
from .hsds import hsds_document
from .metadata import describe_sources, metadata
from .rows import LOCATION_COLUMNS, OFFER_COLUMNS, location_rows, offer_rows

FORMATS = ("geojson", "csv", "hsds")


class ExportError(KbmMapError):
    """An export cannot be written as asked."""


@dataclass
class Written:
    """What an export wrote."""

    files: list[Path] = field(default_factory=list)
    locations: int = 0
    offers: int = 0


def export(path: str | Path, fmt: str, offers: bool = False, source: str | None = None) -> Written:
    """Write the published Lernorte (or Angebote) of all sources (or one) to a file."""
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "hsds" and offers:
        raise ExportError("an HSDS file always holds Lernorte and Angebote; leave out --offers")
    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"{path.parent} is not a folder; create it first")
    locations = location_rows(source)
    places = {row["_id"]: row["id"] for row in locations}
    written = Written(locations=len(locations))
    if fmt == "hsds" or offers:
        offer_list = offer_rows(places, source)
        written.offers = len(offer_list)
    if fmt == "hsds":
        names = [r["source"] for r in [*locations, *offer_list]]
        meta = metadata(describe_sources(names), "Lernorte und Angebote (HSDS)")
        _replace(path, lambda p: write_json(p, hsds_document(locations, offer_list, meta)))
        written.files.append(path)
        return written
    rows, columns = (offer_list, OFFER_COLUMNS) if offers else (locations, LOCATION_COLUMNS)
    if offers:
        written.locations = 0
    what = "Angebote" if offers else "Lernorte"
    meta = metadata(describe_sources(r["source"] for r in rows), what)
    if fmt == "csv":
        _replace(path, lambda p: write_csv(p, columns, rows))
        package = path.with_name(f"{path.stem}.datapackage.json")
        document = datapackage(path, columns, meta, what.lower())
        _replace(package, lambda p: write_json(p, document))
        written.files += [path, package]
        return written
    positions = {
        row["_id"]: (row["lon"], row["lat"]) for row in locations if row["lon"] is not None
    }
    features = [
        feature(
            row,
            columns,
            points([positions[i] for i in row["_location_ids"] if i in positions])
            if offers
            else point(row["lon"], row["lat"]),
        )
        for row in rows
    ]
    document = {"type": "FeatureCollection", "metadata": meta, "features": features}
    _replace(path, lambda p: write_json(p, document))
    written.files.append(path)
    return written


def _replace(path: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file next to the target, then swap it in (readers never see half)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot be written ({error.strerror})") from None
