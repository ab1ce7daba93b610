"""Every shipped mapping against the real file it was written for (../shared/data)."""

from __future__ import annotations

from collections import Counter

import pytest
import shapely

pytestmark = pytest.mark.shared_data


@pytest.fixture
def fulda_area(shared_data, shipped, run):
    """Return the outline of Landkreis Fulda: the union of its 23 Gemeinden."""
    mapped, _ = run(shared_data / "fulda/gemeinden_lk_fulda.geojson", shipped("bkg-gemeinden"))
    return shapely.union_all([m.record.geometry for m in mapped])


def test_fulda_schools_all_import_inside_the_district(shared_data, shipped, run, fulda_area):
    mapped, rejected = run(
        shared_data / "fulda/schulen_lk_fulda.csv",
        shipped("jedeschule-schulen"),
        region_area=fulda_area,
    )
    assert (len(mapped), rejected) == (105, [])
    assert Counter(m.record.kind for m in mapped) == {
        "Grundschule": 64,
        "Realschule": 10,
        "Hauptschule": 10,
        "Förderschule": 10,
        "Gymnasium": 7,
        "Gesamtschule": 4,
    }
    first = mapped[0]
    assert first.row == 2
    record = first.record
    assert (record.external_id, record.name, record.kind, record.areas) == (
        "HE-4101-0",
        "Grundschule Uttrichshausen",
        "Grundschule",
        ["schule"],
    )
    assert (record.street, record.house_number, record.postcode, record.city) == (
        "Schulstraße",
        "1",
        "36148",
        "Kalbach",
    )
    assert (record.lon, record.lat, record.phone) == (9.728713, 50.411207, "09742/1896")
    assert record.extra == {
        "school_number": "4101",
        "school_type": "Grundschule",
        "fax": "09742/930620",
    }


def test_fulda_school_without_house_number(shared_data, shipped, run):
    mapped, _ = run(shared_data / "fulda/schulen_lk_fulda.csv", shipped("jedeschule-schulen"))
    steiner = next(m.record for m in mapped if m.record.external_id == "HE-9253-0")
    assert (steiner.street, steiner.house_number, steiner.postcode, steiner.city) == (
        "Loheland",
        None,
        "36093",
        "Künzell",
    )


def test_hessen_schools(shared_data, shipped, run):
    mapped, rejected = run(shared_data / "hessen/schulen_hessen.csv", shipped("jedeschule-schulen"))
    assert (len(mapped), rejected) == (2040, [])
    assert not [m for m in mapped if m.warnings]
    assert Counter(m.record.kind for m in mapped)["Gesamtschule"] == 230


def test_flensburg_flags_give_kind_and_keep_all_ticked(shared_data, shipped, run):
    mapped, rejected = run(
        shared_data / "flensburg/schulen_flensburg.csv", shipped("flensburg-schulen")
    )
    assert (len(mapped), rejected) == (30, [])
    by_name = {m.record.name: m.record for m in mapped}
    rude = by_name["Schule auf der Rude"]
    assert (rude.external_id, rude.kind, rude.street, rude.house_number, rude.postcode) == (
        "0702020",
        "Grundschule",
        "Lundweg",
        "30",
        "24941",
    )
    assert (rude.lat, rude.lon) == (54.772641930250046, 9.427890874638875)
    tucholsky = by_name["Kurt-Tucholsky-Schule"]
    assert tucholsky.kind == "Gymnasium"
    assert tucholsky.extra["kind_flags"] == ["Gymnasium", "Gesamtschule"]
    assert by_name["Freie Waldorfschule Flensburg"].kind == "Sonstiger Lernort"
    assert by_name["Jørgensby-Skolen"].languages == ["da", "de"]
    assert by_name["Jens-Jessen-Skolen"].house_number == "155 a"


def test_berlin_kitas_from_overpass(shared_data, shipped, run):
    mapped, rejected = run(shared_data / "osm/kitas_berlin_overpass.json", shipped("osm-kitas"))
    assert (len(mapped), len(rejected)) == (1349, 30)
    assert {r.reason for r in rejected} == {"name is empty; every row needs one"}
    kita = next(m.record for m in mapped if m.record.external_id == "node/268915158")
    assert (kita.name, kita.kind, kita.areas) == (
        "Kita Fehlerstraße 2",
        "Kita",
        ["fruehkindliche_bildung"],
    )
    assert (kita.street, kita.house_number, kita.postcode, kita.city) == (
        "Fehlerstraße",
        "2",
        "12161",
        "Berlin",
    )
    assert (kita.lon, kita.lat, kita.step_free) == (13.3258251, 52.4767411, True)
    assert Counter(m.record.step_free for m in mapped)[None] > 900


def test_fulda_gemeinden(shared_data, shipped, run):
    mapped, rejected = run(
        shared_data / "fulda/gemeinden_lk_fulda.geojson", shipped("bkg-gemeinden")
    )
    assert (len(mapped), rejected) == (23, [])
    fulda = next(m.record for m in mapped if m.record.code == "06631009")
    assert (fulda.name, fulda.kind, fulda.geometry.geom_type) == ("Fulda", "Stadt", "MultiPolygon")
    assert fulda.geometry.contains(shapely.Point(9.6723, 50.5546))  # the cathedral


def test_geonames_postcodes(shared_data, shipped, run):
    mapped, rejected = run(shared_data / "plz/zipcodes.de.csv", shipped("geonames-plz"))
    assert (len(mapped), rejected) == (23297, [])
    fulda = next(m.record for m in mapped if m.record.postcode == "36037")
    assert (fulda.place, fulda.lon, fulda.lat, fulda.community_code) == (
        "Fulda",
        9.6833,
        50.5518,
        "06631",
    )
    assert len({m.record.postcode for m in mapped}) == 10814


def test_destatis_district_population(shared_data, shipped, run):
    mapped, rejected = run(shared_data / "kreise/districts.csv", shipped("destatis-kreise"))
    assert (len(mapped), rejected) == (401, [])
    fulda = next(m.record for m in mapped if m.record.code == "06631")
    assert (fulda.name, fulda.population, fulda.extra["type"]) == ("Fulda", 222584, "Landkreis")
