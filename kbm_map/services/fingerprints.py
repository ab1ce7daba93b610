"""What a refresh compares before it maps a row: the row's fingerprint and the run's context.

A refresh maps and compares only the rows whose raw record changed since the source's last
successful run (`importers/fingerprint.py` digests a record). That is right only while
everything else that decides a row's result is the same too. This module digests that
context once per run:

- the code that maps and writes rows (a new kbm-map version re-reads every row once);
- the mapping file's content;
- the region's bounding box (positions outside it are rejected);
- the taxonomy (codes and German labels become term ids);
- the source's organizations (providers are found by name);
- for Angebote that name their Lernorte: the Lernorte those names could mean (`_lernorte`).

The gazetteer is not part of it: rows placed by postcode or left without a position are
never skipped, nor are rows with warnings or rejected rows, so that every run's report still
lists them all. Regions are not either: a Lernort's region follows its position.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
from collections.abc import Container
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select

from ..extensions import db
from ..importers import MappedRecord, Mapping, Rejection
from ..models import Location, Offer, Organization, Term
from ..models.offer import offer_locations
from .stored import Planned

_SERVICES = Path(__file__).resolve().parent
# The code that maps rows and decides what is written and what may be skipped.
_MAPPING_CODE = (
    *sorted((_SERVICES.parent / "importers").glob("*.py")),
    *(
        _SERVICES / f"{name}.py"
        for name in ("imports", "datafiles", "planning", "stored", "entries", "upsert")
    ),
    _SERVICES / "fingerprints.py",
)


def context_fingerprint(mapping_text: bytes, mapping: Mapping, source: str) -> str:
    """Return a digest of everything besides the rows that decides what an import writes."""
    digest = hashlib.sha256()
    parts = {
        "code": _code_fingerprint(),
        "mapping": hashlib.sha256(mapping_text).hexdigest(),
        "bbox": tuple(current_app.config["REGION_BBOX"]),
        "terms": [
            (term_id, vocabulary, code, json.dumps(labels, sort_keys=True))
            for term_id, vocabulary, code, labels in db.session.execute(
                select(Term.id, Term.vocabulary, Term.code, Term.labels).order_by(Term.id)
            )
        ],
        "organizations": db.session.execute(
            select(Organization.id, Organization.name)
            .where(Organization.source == source)
            .order_by(Organization.id)
        ).all(),
    }
    if mapping.target == "offer" and "locations" in mapping.filled_fields():
        parts["lernorte"] = _lernorte(source)
    for name, value in parts.items():
        digest.update(f"{name}={value!r}\n".encode())
    return digest.hexdigest()


def _lernorte(source: str) -> list:
    """Return the Lernorte that could change what the source's Angebote are linked to.

    A row is skipped only if every Lernort it names was found (else it has a warning or was
    rejected). Such a name can mean another Lernort later only if the one found is gone, or
    a Lernort with the same id appears (the name becomes ambiguous, or one in the Angebote's
    own source takes precedence), or one whose id contains ':' (names like 'source:id').
    These are all in the list; a new Lernort with a new id is not, and changes nothing.
    """
    linked = (
        select(Location.external_id)
        .join(offer_locations, offer_locations.c.location_id == Location.id)
        .join(Offer, Offer.id == offer_locations.c.offer_id)
        .where(Offer.source == source)
    )
    stmt = (
        select(Location.id, Location.source, Location.external_id)
        .where(
            or_(
                Location.external_id.in_(linked),
                Location.source == source,
                Location.external_id.contains(":"),
            )
        )
        .order_by(Location.id)
    )
    return db.session.execute(stmt).all()


@functools.cache
def _code_fingerprint() -> str:
    """Return a digest of the source code that maps and writes rows (or the version)."""
    digest = hashlib.sha256(importlib.metadata.version("kbm-map").encode())
    for path in _MAPPING_CODE:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def fingerprints_to_keep(
    mapped: list[MappedRecord],
    planned: list[Planned | Rejection],
    warned_rows: Container[int],
    has_geom: bool,
) -> dict[str, str | None]:
    """Return {external id: fingerprint to store, or None} for the planned rows of a chunk.

    Rows with warnings (`warned_rows`: from the mapping or from planning), placed by the
    gazetteer or left without a position get none: they are read in full every time, so
    that each run's report lists them, and a row that names a missing Lernort is linked
    once the Lernort exists.
    """
    keep = {}
    for result, plan in zip(mapped, planned, strict=True):
        if isinstance(plan, Planned):
            clean = result.row not in warned_rows
            placed = plan.precision is None and (not has_geom or plan.geom is not None)
            keep[plan.external_id] = result.fingerprint if clean and placed else None
    return keep
