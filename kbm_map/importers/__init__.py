"""Read lists of Lernorte, Angebote, regions, postcodes and population figures from files.

Readers turn a file into RawRecords; a mapping file (TOML) says how their columns become
target records. Nothing here touches the database: the import service upserts the results.
"""

from .apply import IsUnchanged, apply_mapping
from .fingerprint import record_fingerprint
from .mapping import Mapping, load_mapping, parse_mapping
from .records import (
    ImportFileError,
    MappedRecord,
    RawRecord,
    RecordSource,
    Rejection,
    RowWarning,
    Unchanged,
)
from .sources import open_records
from .targets import (
    AREAS,
    KINDS,
    OFFER_TYPES,
    GazetteerRecord,
    LocationRecord,
    OfferRecord,
    PopulationRecord,
    RegionRecord,
)

__all__ = [
    "AREAS",
    "KINDS",
    "GazetteerRecord",
    "ImportFileError",
    "IsUnchanged",
    "LocationRecord",
    "MappedRecord",
    "Mapping",
    "OFFER_TYPES",
    "OfferRecord",
    "PopulationRecord",
    "RawRecord",
    "RecordSource",
    "RegionRecord",
    "Rejection",
    "RowWarning",
    "Unchanged",
    "apply_mapping",
    "load_mapping",
    "open_records",
    "parse_mapping",
    "record_fingerprint",
]
