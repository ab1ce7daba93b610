"""Exports: importing an export into an emptied database gives the same data back."""

from __future__ import annotations

import csv
import json

import pytest
from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import select

from kbm_map.demo import load_demo
from kbm_map.exports import ExportError, export
from kbm_map.extensions import db
from kbm_map.models import Location, Offer, Region
from kbm_map.services.imports import run_import

from .conftest import empty_listings

LOCATION_FIELDS = (
    *("name", "street", "house_number", "postcode", "city", "phone", "email", "website"),
    *("description", "opening_hours", "opening_hours_note", "languages", "step_free"),
    *("accessible_toilet", "parking", "induction_loop", "sign_language", "accessibility_note"),
    *("checked_at", "status"),
)
OFFER_FIELDS = (
    *("title", "offer_type", "description", "online", "min_age", "max_age", "languages"),
    *("cost_kind", "cost_amount", "cost_note", "funding", "registration_url"),
    *("registration_phone", "registration_email", "recurrence", "schedule_note", "valid_from"),
    *("valid_until", "checked_at", "status"),
)


def lernorte(key: str) -> dict:
    """Return the published Lernorte keyed by their exported id (slug, or id after import)."""
    regions = dict(db.session.execute(select(Region.id, Region.code)).all())
    stmt = select(Location, ST_X(Location.geom), ST_Y(Location.geom)).where(
        Location.status == "published"
    )
    found = {}
    for place, lon, lat in db.session.execute(stmt):
        found[getattr(place, key)] = (
            *(getattr(place, name) for name in LOCATION_FIELDS),
            place.kind.code if place.kind else None,
            sorted(a.code for a in place.areas),
            place.organization.name if place.organization else None,
            None if lon is None else (round(lon, 7), round(lat, 7)),
            regions.get(place.region_id),
        )
    return found


def angebote(key: str, place_key: str) -> dict:
    """Return the published Angebote keyed by their exported id, Lernorte by theirs."""
    found = {}
    for item in db.session.scalars(select(Offer).where(Offer.status == "published")):
        found[getattr(item, key)] = (
            *(getattr(item, name) for name in OFFER_FIELDS),
            sorted(getattr(p, place_key) for p in item.locations),
            sorted(t.code for t in item.areas),
            sorted(t.code for t in item.topics),
            sorted(t.code for t in item.target_groups),
            [(s.starts_at, s.ends_at) for s in item.sessions],
            item.organization.name if item.organization else None,
        )
    return found


@pytest.fixture
def demo(app_ctx):
    """Load a small demo region and return its published Lernorte and Angebote."""
    load_demo(locations=40, offers=120, seed=11, progress=lambda message: None)
    return lernorte("slug"), angebote("slug", "slug")


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_export_imported_into_an_emptied_database_gives_the_same_data(demo, tmp_path, fmt):
    places, offers = demo
    written = export(tmp_path / f"lernorte.{fmt}", fmt)
    export(tmp_path / f"angebote.{fmt}", fmt, offers=True)
    assert written.locations == len(places) > 30
    empty_listings()  # regions stay: they are reference data, not part of the export

    first = run_import(
        tmp_path / f"lernorte.{fmt}", "kbm-export-locations", "lernorte", update_index=False
    )
    second = run_import(
        tmp_path / f"angebote.{fmt}", "kbm-export-offers", "angebote", update_index=False
    )

    assert (first.new, first.rejected, first.warnings) == (len(places), [], [])
    assert (second.new, second.rejected, second.warnings) == (len(offers), [], [])
    assert lernorte("external_id") == places
    assert angebote("external_id", "external_id") == offers


def test_export_of_one_source_and_its_attribution(app_ctx, shared_data, tmp_path):
    run_import(
        shared_data / "osm/kitas_berlin_overpass.json", "osm-kitas", "osm", update_index=False
    )
    load_demo(locations=20, offers=10, seed=3, progress=lambda message: None)
    export(tmp_path / "osm.geojson", "geojson", source="osm")
    document = json.loads((tmp_path / "osm.geojson").read_text(encoding="utf-8"))
    assert len(document["features"]) == 1349
    assert document["metadata"]["sources"] == [
        {
            "name": "osm",
            "title": "OpenStreetMap",
            "licence": "ODbL-1.0",
            "attribution": "© OpenStreetMap contributors",
        }
    ]
    export(tmp_path / "alle.csv", "csv")
    package = json.loads((tmp_path / "alle.datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [{"name": "ODbL-1.0"}]
    assert "© OpenStreetMap contributors" in package["attribution"]
    assert {s["name"] for s in package["kbm_sources"]} == {"demo", "osm"}
    with (tmp_path / "alle.csv").open(encoding="utf-8") as handle:
        assert package["resources"][0]["schema"]["fields"][0] == {"name": "id", "type": "string"}
        assert len(list(csv.DictReader(handle))) > 1349


def test_hsds_export_holds_organizations_locations_and_services(demo, tmp_path):
    places, offers = demo
    written = export(tmp_path / "hsds.json", "hsds")
    document = json.loads((tmp_path / "hsds.json").read_text(encoding="utf-8"))
    assert (written.locations, written.offers) == (len(places), len(offers))
    assert (len(document["locations"]), len(document["services"])) == (len(places), len(offers))
    location_ids = {item["id"] for item in document["locations"]}
    organization_ids = {item["id"] for item in document["organizations"]}
    service = document["services"][0]
    assert {link["location_id"] for link in service["service_at_locations"]} <= location_ids
    assert service["organization_id"] in organization_ids
    assert document["metadata"]["sources"][0]["name"] == "demo"


def test_export_errors_are_explained(app_ctx, tmp_path):
    with pytest.raises(ExportError, match="is not a folder"):
        export(tmp_path / "fehlt" / "x.csv", "csv")
    with pytest.raises(ExportError, match="always holds Lernorte and Angebote"):
        export(tmp_path / "x.json", "hsds", offers=True)
