"""Read GeoJSON FeatureCollections in WGS84, UTM 32N or Gauss-Krüger, reprojected to WGS84."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shapely.errors import GeometryTypeError
from shapely.geometry import shape

from .crs import WGS84, crs_from_name, geometry_to_wgs84, guess_crs, to_wgs84
from .jsonfile import flatten, load_json
from .records import (
    READ_ERRORS,
    ImportFileError,
    RawRecord,
    RecordSource,
    Rejection,
    describe_error,
)


def _positions(geometry: Any) -> Iterator[tuple[float, float]]:
    """Yield the (x, y) positions of a GeoJSON geometry, for guessing its CRS."""
    if not isinstance(geometry, dict):
        return
    if geometry.get("type") == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            yield from _positions(part)
        return
    stack = [geometry.get("coordinates")]
    while stack:
        item = stack.pop()
        if (
            isinstance(item, list)
            and len(item) >= 2
            and all(isinstance(v, int | float) for v in item[:2])
        ):
            yield float(item[0]), float(item[1])
        elif isinstance(item, list):
            stack.extend(item)


def _declared_crs(document: dict[str, Any]) -> str | None:
    """Return the CRS named in the (pre-2016 GeoJSON) crs member, if any."""
    member = document.get("crs")
    if not isinstance(member, dict):
        return None
    properties = member.get("properties")
    name = properties.get("name") if isinstance(properties, dict) else None
    return crs_from_name(name) if isinstance(name, str) else None


def features_source(path: Path, document: Any, crs: str | None = None) -> RecordSource:
    """Build a record source from a parsed GeoJSON document."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise ImportFileError(
            f"file {path.name}: not a GeoJSON FeatureCollection (top-level type is {found!r})"
        )
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise ImportFileError(f"file {path.name}: the FeatureCollection has no features")
    notes = []
    source_crs = _declared_crs(document) or crs
    if source_crs:
        notes.append(f"coordinate system: {source_crs}")
    else:
        positions = (
            p for f in features if isinstance(f, dict) for p in _positions(f.get("geometry"))
        )
        first = next(positions, None)
        # Without any coordinates (all geometries null) there is nothing to reproject.
        source_crs = guess_crs(itertools.chain([first], positions)) if first else WGS84
        if source_crs is None:
            raise ImportFileError(
                f"file {path.name}: the coordinates fit no known coordinate system; "
                'name it in the mapping, e.g. crs = "EPSG:25832"'
            )
        notes.append(f"coordinate system: {source_crs} (recognised from the coordinate ranges)")
    columns: dict[str, None] = {}
    for feature in features:
        if isinstance(feature, dict):
            properties = feature.get("properties")
            if isinstance(properties, dict):
                columns.update(dict.fromkeys(flatten(properties)))

    def rows() -> Iterator[RawRecord | Rejection]:
        """Yield one record per feature, numbered from 1."""
        for number, feature in enumerate(features, start=1):
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                yield Rejection(path.name, number, None, "is not a GeoJSON Feature")
                continue
            properties = feature.get("properties") or {}
            if not isinstance(properties, dict):
                yield Rejection(path.name, number, None, "its properties are not an object")
                continue
            data = flatten(properties)
            if feature.get("id") is not None:
                data.setdefault("id", feature["id"])
            try:
                geometry = _geometry(feature.get("geometry"), source_crs)
            except (GeometryTypeError, *READ_ERRORS) as error:
                reason = f"geometry cannot be read: {describe_error(error)}"
                yield Rejection(path.name, number, "geometry", reason)
                continue
            yield RawRecord(row=number, data=data, geometry=geometry)

    return RecordSource(
        path=path,
        format="geojson",
        columns=list(columns),
        read=rows,
        tabular=False,
        crs=source_crs,
        notes=notes,
    )


def _geometry(geometry: Any, source_crs: str):
    """Turn a GeoJSON geometry into (lon, lat) for points, a WGS84 shapely shape otherwise."""
    if geometry is None:
        return None
    if geometry.get("type") == "Point":
        x, y = geometry["coordinates"][:2]
        return to_wgs84(float(x), float(y), source_crs)
    return geometry_to_wgs84(shape(geometry), source_crs)


def read_geojson(path: Path, crs: str | None = None) -> RecordSource:
    """Open a GeoJSON file; `crs` is used when the file names none."""
    return features_source(path, load_json(path), crs_from_name(crs) if crs else None)
