"""Open an input file with the reader its extension and content call for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .csvfile import read_csv
from .geojsonfile import features_source
from .jsonfile import load_json, records_source
from .osmfile import elements_source, read_osm_xml
from .records import READ_ERRORS, ImportFileError, RecordSource, describe_error, one_line
from .xlsxfile import read_xlsx

if TYPE_CHECKING:
    from .mapping import Mapping

FORMATS = ("csv", "xlsx", "geojson", "json", "osm")
MAX_BYTES = 512 * 2**20  # 100,000 Angebote as CSV are about 60 MB
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".geojson": "geojson",
    ".json": "json",
    ".osm": "osm",
    ".xml": "osm",
}
_CLAIMS = {
    "csv": "a CSV text file",
    "xlsx": "an Excel workbook (.xlsx)",
    "geojson": "GeoJSON",
    "json": "JSON",
    "osm": "OpenStreetMap XML",
}


_FOUND = {
    None: "plain text",
    "xlsx": "a zip file or Excel workbook",
    "json": "JSON",
    "osm": "XML or HTML",
}


def sniff(head: bytes) -> str | None:
    """Tell the format from a file's first bytes, or None for plain text."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"{", b"[")):
        return "json"
    if text.startswith(b"<"):
        return "osm"
    if b"\x00" in head and not head.startswith(_UNICODE_BOMS):
        return unmarked_unicode(head) or "binary"
    return None


_UNICODE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def unmarked_unicode(head: bytes) -> str | None:
    """Name the encoding of UTF-16 or UTF-32 text without a byte-order mark, else None."""
    for name, width in (("utf-32", 4), ("utf-16", 2)):
        usable = head[: len(head) - len(head) % width]
        if not usable:
            continue
        for endian in ("le", "be"):
            try:
                text = usable.decode(f"{name}-{endian}")
            except UnicodeDecodeError:
                continue
            # Lists of German places are Latin text; binary data decodes to anything.
            if all(c in "\t\r\n" or (c.isprintable() and c < "\u0250") for c in text):
                return f"{name}-{endian}"
    return None


def open_records(path: str | Path, mapping: Mapping | None = None) -> RecordSource:
    """Open an input file and return its records; raise ImportFileError for file problems.

    Whatever a malformed file makes a reader raise becomes an ImportFileError of one line
    that names the file and the problem.
    """
    path = Path(path)
    try:
        return _open_records(path, mapping)
    except ImportFileError as problem:
        raise ImportFileError(one_line(str(problem), 10_000)) from None
    except READ_ERRORS as error:
        raise ImportFileError(
            f"file {one_line(path.name)}: cannot be read: {describe_error(error)}"
        ) from None


def _open_records(path: Path, mapping: Mapping | None) -> RecordSource:
    """Check the file's size and kind, then open it with the right reader."""
    if not path.is_file():
        raise ImportFileError(f"file {path}: does not exist or is not a file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFileError(
            f"file {path.name}: is {size / 2**20:.0f} MB; files up to {MAX_BYTES >> 20} MB can "
            "be imported (they are read into memory): split it, e.g. by district or kind"
        )
    with path.open("rb") as handle:
        head = handle.read(512)
    if not head.strip():
        raise ImportFileError(f"file {path.name}: is empty")
    claimed = (mapping.format if mapping else None) or _EXTENSIONS.get(path.suffix.lower())
    found = sniff(head)
    if found == "xls":
        raise ImportFileError(
            f"file {path.name}: is an old Excel workbook (.xls); save it as .xlsx or CSV UTF-8"
        )
    if found == "binary":
        raise ImportFileError(f"file {path.name}: is not a text file, a workbook or JSON")
    if found and found.startswith("utf-"):
        raise ImportFileError(
            f"file {path.name}: looks like {found.upper()} text without a byte-order mark, "
            "which cannot be told apart safely; save it again as 'CSV UTF-8'"
        )
    kind = claimed or found or "csv"
    expected = {"csv": None, "xlsx": "xlsx", "geojson": "json", "json": "json", "osm": "osm"}
    if found != expected[kind]:
        actual = _FOUND[found]
        raise ImportFileError(
            f"file {path.name}: should be {_CLAIMS[kind]} but looks like {actual}"
        )
    if kind == "csv":
        if mapping is None:
            return read_csv(path)
        return read_csv(path, mapping.delimiter, mapping.encoding, mapping.header)
    if kind == "xlsx":
        if mapping is None:
            return read_xlsx(path)
        return read_xlsx(path, mapping.required_columns(), mapping.sheet, mapping.header)
    if kind == "osm":
        return read_osm_xml(path)
    return _open_json(path, kind, mapping)


def _open_json(path: Path, kind: str, mapping: Mapping | None) -> RecordSource:
    """Tell GeoJSON, Overpass JSON and plain record lists apart and open them."""
    document = load_json(path)
    crs = mapping.crs if mapping else None
    is_dict = isinstance(document, dict)
    if kind == "geojson" or (is_dict and "type" in document and "features" in document):
        return features_source(path, document, crs)
    if is_dict and isinstance(document.get("elements"), list):
        return elements_source(path, document["elements"])
    if is_dict and document.get("type") in _GEOJSON_TYPES:
        return features_source(path, document, crs)  # raises: says what the top-level type is
    return records_source(path, document)


_GEOJSON_TYPES = {
    "Feature",
    "FeatureCollection",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
