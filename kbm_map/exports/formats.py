"""Write export rows as CSV (with a Data Package file for the metadata) or as GeoJSON."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..cells import csv_cell

LIST_SEPARATOR = "; "  # the import splits on ';' (and ',' and '|')


def csv_value(value: Any) -> str:
    """Format one value for a CSV cell the way the import reads it back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(csv_value(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def json_value(value: Any) -> Any:
    """Turn a value into something JSON can hold."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Write rows as UTF-8 CSV with a header row; formula-like text is defused."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row.get(c), csv_value(row.get(c))) for c in columns])


def datapackage(path: Path, columns: tuple[str, ...], meta: dict, name: str) -> dict:
    """Return a Frictionless Data Package describing one CSV file and its sources."""
    licences = sorted({s["licence"] for s in meta["sources"] if s.get("licence")})
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": meta["title"],
        "created": meta["created"],
        "generator": meta["generator"],
        "licenses": [{"name": licence} for licence in licences],
        "sources": [
            {"title": s["title"], **({"path": s["attribution"]} if s.get("attribution") else {})}
            for s in meta["sources"]
        ],
        "attribution": meta["attribution"],
        "kbm_sources": meta["sources"],
        "resources": [
            {
                "name": name,
                "path": path.name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": [{"name": c, "type": "string"} for c in columns]},
            }
        ],
    }


def feature(row: dict, columns: tuple[str, ...], geometry: dict | None) -> dict:
    """Return one GeoJSON Feature with the row's columns as properties."""
    properties = {c: json_value(row.get(c)) for c in columns if c not in ("lon", "lat")}
    return {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": properties}


def point(lon: float | None, lat: float | None) -> dict | None:
    """Return a GeoJSON Point, or None for an entry without a position."""
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def points(positions: list[tuple[float, float]]) -> dict | None:
    """Return a Point for one position, a MultiPoint for several, None for none."""
    if not positions:
        return None
    if len(positions) == 1:
        return point(*positions[0])
    return {"type": "MultiPoint", "coordinates": [list(p) for p in positions]}


def write_json(path: Path, document: dict) -> None:
    """Write a JSON document as UTF-8 (umlauts unescaped)."""
    with path.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, separators=(",", ":"))
