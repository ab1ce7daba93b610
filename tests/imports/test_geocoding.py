"""Rows without coordinates are placed by the postcode gazetteer, or listed as unplaced."""

from __future__ import annotations

import pytest
from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import AuditEntry, Location
from kbm_map.services.gazetteer import import_gazetteer
from kbm_map.services.imports import run_import

GAZETTEER = (
    "zipcode,place,latitude,longitude,community_code,community,state_code\n"
    "36037,Fulda,50.5518,9.6833,06631,Landkreis Fulda,06\n"
    "36093,Künzell,50.5436,9.7164,06631,Landkreis Fulda,06\n"
    "36093,Dirlos,50.5600,9.7400,06631,Landkreis Fulda,06\n"
)
PLACES = (
    "ID;Name;PLZ;Ort\n"
    "1;Bücherei Künzell;36093;KÜNZELL\n"  # the place matches (case and umlauts folded)
    "2;Jugendtreff Pilgerzell;36093;Pilgerzell\n"  # not in the gazetteer: postcode centre
    "3;Beratungsstelle Irgendwo;99999;Irgendwo\n"  # unknown postcode: no position
)
MAPPING = '[import]\ntarget = "location"\nid = "ID"\n[columns]\nname = "Name"\n'
MAPPING += 'postcode = "PLZ"\ncity = "Ort"\n'


@pytest.fixture
def placed(app_ctx, tmp_path):
    """Import the gazetteer and three rows without coordinates."""
    (tmp_path / "plz.csv").write_text(GAZETTEER, encoding="utf-8")
    (tmp_path / "orte.csv").write_text(PLACES, encoding="utf-8")
    (tmp_path / "orte.toml").write_text(MAPPING, encoding="utf-8")
    import_gazetteer(tmp_path / "plz.csv")
    return run_import(tmp_path / "orte.csv", tmp_path / "orte.toml", "orte", update_index=False)


def positions() -> dict[str, tuple | None]:
    """Return {external id: (lon, lat) or None}."""
    stmt = select(Location.external_id, ST_X(Location.geom), ST_Y(Location.geom))
    return {
        ext: (lon, lat) if lon is not None else None for ext, lon, lat in db.session.execute(stmt)
    }


def test_rows_without_coordinates_are_placed_by_place_then_postcode(placed):
    assert (placed.new, dict(placed.geocoded)) == (3, {"place": 1, "postcode": 1})
    assert placed.unplaced == [("orte.csv", 4, "3", "Beratungsstelle Irgendwo")]
    found = positions()
    assert found["1"] == pytest.approx((9.7164, 50.5436))
    assert found["2"] == pytest.approx(((9.7164 + 9.74) / 2, (50.5436 + 50.56) / 2))
    assert found["3"] is None
    precision = {
        changes["external_id"][1]: changes.get("geom_precision", [None, None])[1]
        for changes in db.session.scalars(select(AuditEntry.changes))
    }
    assert precision == {"1": "place", "2": "postcode", "3": None}


def test_geocoded_rows_are_unchanged_on_refresh(placed, tmp_path):
    again = run_import(tmp_path / "orte.csv", tmp_path / "orte.toml", "orte", update_index=False)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3)
