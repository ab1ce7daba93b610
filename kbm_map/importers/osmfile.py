"""Read OpenStreetMap extracts: Overpass API JSON and .osm XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: N817 - the conventional name
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .records import (
    READ_ERRORS,
    ImportFileError,
    RawRecord,
    RecordSource,
    Rejection,
    describe_error,
    one_line,
)

# Python's expat (2.4.1 and later) refuses entity-expansion attacks and never fetches
# external entities, so the standard parser is safe for untrusted .osm files without defusedxml;
# that is why S314 is silenced below.


def _centre(
    element: dict[str, Any], nodes: dict[int, tuple[float, float]], ways: dict[int, list[int]]
) -> tuple[float, float] | None:
    """Return (lon, lat) of an element: its own position, its Overpass centre, or node mean."""
    if "lat" in element and "lon" in element:
        return float(element["lon"]), float(element["lat"])
    centre = element.get("center")
    if isinstance(centre, dict) and "lat" in centre:
        return float(centre["lon"]), float(centre["lat"])
    points = [(float(p["lon"]), float(p["lat"])) for p in element.get("geometry") or [] if p]
    refs = list(element.get("nodes") or [])
    for member in element.get("members") or []:
        if member.get("type") == "node":
            refs.append(member.get("ref"))
        elif member.get("type") == "way":
            refs.extend(ways.get(member.get("ref"), ()))
    points += [nodes[ref] for ref in refs if ref in nodes]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def elements_source(path: Path, elements: list[dict[str, Any]]) -> RecordSource:
    """Build a record source from OSM elements (dicts in Overpass JSON shape)."""
    elements = [e for e in elements if isinstance(e, dict)]
    nodes = {
        e["id"]: (float(e["lon"]), float(e["lat"]))
        for e in elements
        if e.get("type") == "node" and "lat" in e
    }
    ways = {e["id"]: e.get("nodes") or [] for e in elements if e.get("type") == "way"}
    # Untagged nodes only carry the geometry of ways; they are not places.
    tagged = [e for e in elements if e.get("tags") and isinstance(e["tags"], dict)]
    if not tagged:
        raise ImportFileError(f"file {path.name}: contains no OpenStreetMap elements with tags")
    columns: dict[str, None] = {"osm_type": None, "osm_id": None}
    for element in tagged:
        columns.update(dict.fromkeys(element["tags"]))

    def rows() -> Iterator[RawRecord | Rejection]:
        """Yield one record per tagged element, numbered from 1."""
        for number, element in enumerate(tagged, start=1):
            osm_type, osm_id = element.get("type"), element.get("id")
            data = {**element["tags"], "osm_type": osm_type, "osm_id": osm_id}
            try:
                position = _centre(element, nodes, ways)
            except READ_ERRORS as error:
                reason = f"{osm_type}/{osm_id}: position cannot be read: {describe_error(error)}"
                yield Rejection(path.name, number, None, reason)
                continue
            if position is None:
                yield Rejection(
                    path.name,
                    number,
                    None,
                    f"{osm_type}/{osm_id} has no position (ask Overpass for 'out center')",
                )
                continue
            yield RawRecord(row=number, data=data, geometry=position)

    return RecordSource(
        path=path,
        format="osm",
        columns=list(columns),
        read=rows,
        tabular=False,
        crs="EPSG:4326",
        notes=[f"{len(tagged)} tagged elements"],
    )


def read_osm_xml(path: Path) -> RecordSource:
    """Open an .osm XML file (as written by JOSM, osmium or Overpass with out:xml)."""
    elements: list[dict[str, Any]] = []
    try:
        for _, node in ET.iterparse(path, events=("end",)):  # noqa: S314
            if node.tag not in ("node", "way", "relation"):
                continue
            try:
                elements.append(_xml_element(node))
            except READ_ERRORS as error:
                raise ImportFileError(
                    f"file {path.name}, element {len(elements) + 1} ({node.tag} "
                    f"{one_line(node.get('id', '?'), 30)}): cannot be read: "
                    f"{describe_error(error)}"
                ) from None
            node.clear()  # keep memory flat on large extracts
    except ET.ParseError as error:
        raise ImportFileError(f"file {path.name}: is not valid XML ({error})") from None
    if not elements:
        raise ImportFileError(
            f"file {path.name}: contains no OpenStreetMap nodes, ways or relations"
        )
    return elements_source(path, elements)


def _xml_element(node: ET.Element) -> dict[str, Any]:
    """Convert an XML node/way/relation to the Overpass JSON shape."""
    element: dict[str, Any] = {"type": node.tag, "id": int(node.get("id", "0"))}
    if node.get("lat") is not None:
        element["lat"], element["lon"] = node.get("lat"), node.get("lon")
    tags = {t.get("k"): t.get("v") or "" for t in node.iter("tag") if t.get("k")}
    if tags:
        element["tags"] = tags
    centre = node.find("center")
    if centre is not None:
        element["center"] = {"lat": centre.get("lat"), "lon": centre.get("lon")}
    refs = [int(nd.get("ref")) for nd in node.iter("nd") if nd.get("ref")]
    if refs:
        element["nodes"] = refs
    members = [
        {"type": m.get("type"), "ref": int(m.get("ref"))}
        for m in node.iter("member")
        if m.get("ref")
    ]
    if members:
        element["members"] = members
    return element
