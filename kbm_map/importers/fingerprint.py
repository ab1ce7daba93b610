"""Fingerprints of raw records: a refresh skips the rows whose record is as it was last time."""

from __future__ import annotations

import hashlib
import marshal

from shapely.geometry.base import BaseGeometry

from .records import RawRecord

# marshal format 2 writes values only: later formats also record whether a string object
# happens to be shared, which would make equal rows differ.
_MARSHAL_VERSION = 2


def record_fingerprint(raw: RawRecord) -> str:
    """Return a digest (32 hex digits) of a record's column names, values and geometry.

    The row number is left out: a row that only moved in the file is the same row.
    """
    geometry = raw.geometry.wkb if isinstance(raw.geometry, BaseGeometry) else raw.geometry
    try:
        blob = b"m" + marshal.dumps((raw.data, geometry), _MARSHAL_VERSION)
    except ValueError:  # a value marshal cannot write, e.g. a date from a workbook
        blob = b"r" + repr((raw.data, geometry)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(blob).digest()[:16].hex()
