"""Say where exported data comes from and under which licence (attribution travels with it)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select

from .. import __version__
from ..extensions import db
from ..geo.gazetteer import gazetteer_size
from ..importers import ImportFileError, load_mapping
from ..models import Source, utcnow

GAZETTEER = {
    "name": "gazetteer",
    "title": "GeoNames postal codes (positions of entries placed by postcode)",
    "licence": "CC-BY-4.0",
    "attribution": "GeoNames (www.geonames.org)",
}
DEMO = {"name": "demo", "title": "Made-up demo data (kbm-map demo); not real places"}
OFFICE = {"name": "", "title": "Entered by the education office"}


def describe_sources(names: Iterable[str | None]) -> list[dict]:
    """Return publisher, licence and attribution of each source that exported entries come from."""
    recorded = {s.name: s for s in db.session.scalars(select(Source))}
    described = []
    for name in sorted({n or "" for n in names}):
        if name == "demo":
            described.append(DEMO)
        elif not name:
            described.append(OFFICE)
        elif name in recorded:
            described.append(_from_mapping(name, recorded[name].mapping))
        else:
            described.append({"name": name, "title": name})
    if gazetteer_size():
        described.append(GAZETTEER)
    return described


def _from_mapping(name: str, mapping_path: str) -> dict:
    """Read publisher, licence and attribution from the source's mapping file."""
    entry = {"name": name, "title": name}
    try:
        mapping = load_mapping(mapping_path)
    except ImportFileError:
        return entry  # the mapping moved away; the name still says where the data came from
    if mapping.source:
        entry["title"] = mapping.source
    if mapping.licence:
        entry["licence"] = mapping.licence
    if mapping.attribution:
        entry["attribution"] = mapping.attribution
    return entry


def metadata(sources: list[dict], what: str) -> dict:
    """Return the metadata block of an export: title, time, generator and sources."""
    config = current_app.config
    title = " – ".join(p for p in (config.get("SITE_NAME"), config.get("REGION_NAME")) if p)
    attributions = [s["attribution"] for s in sources if s.get("attribution")]
    return {
        "title": f"{title}: {what}",
        "created": utcnow().replace(microsecond=0).isoformat() + "Z",
        "generator": f"kbm-map {__version__}",
        "attribution": "; ".join(attributions),
        "sources": sources,
    }
