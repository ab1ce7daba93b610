"""Every real file in ../shared/data imported with its shipped mapping, on both databases."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import shapely
from geoalchemy2.functions import ST_X, ST_Y
from pyproj import Transformer
from shapely.geometry import Point, shape
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.finding import search_backend
from kbm_map.geo.gazetteer import PLACE, POSTCODE, Hit, locate
from kbm_map.models import Location, Organization, PostcodePlace, Region, Term
from kbm_map.search import SearchQuery
from kbm_map.services.gazetteer import import_gazetteer
from kbm_map.services.imports import run_import
from kbm_map.services.regions import import_regions, region_of

from .conftest import FULDA_GEMEINDEN, FULDA_SCHOOLS, location

pytestmark = pytest.mark.shared_data


def kinds(source: str) -> Counter:
    """Count the source's Lernorte per kind label."""
    stmt = (
        select(Term.labels)
        .join(Location, Location.kind_id == Term.id)
        .where(Location.source == source)
    )
    return Counter(labels["de"] for labels in db.session.scalars(stmt))


def position(external_id: str, source: str) -> tuple[float, float]:
    """Return the stored (lon, lat) of a Lernort."""
    stmt = select(ST_X(Location.geom), ST_Y(Location.geom)).where(
        Location.source == source, Location.external_id == external_id
    )
    return tuple(db.session.execute(stmt).one())


def test_fulda_schools(app_ctx, shared_data, count):
    summary = run_import(shared_data / FULDA_SCHOOLS, "jedeschule-schulen")
    assert (summary.source, summary.new, summary.rejected, summary.unplaced) == (
        "schulen-lk-fulda",
        105,
        [],
        [],
    )
    assert count(Location, Location.status == "published") == 105
    assert kinds("schulen-lk-fulda")["Grundschule"] == 64
    school = location("HE-4101-0", "schulen-lk-fulda")
    assert (school.name, school.street, school.house_number, school.postcode, school.city) == (
        "Grundschule Uttrichshausen",
        "Schulstraße",
        "1",
        "36148",
        "Kalbach",
    )
    assert [a.code for a in school.areas] == ["schule"]
    assert position("HE-4101-0", "schulen-lk-fulda") == pytest.approx((9.728713, 50.411207))


def test_regions_import_places_every_fulda_school_in_its_gemeinde(app_ctx, shared_data, count):
    run_import(shared_data / FULDA_SCHOOLS, "jedeschule-schulen", "fulda", update_index=False)
    assert count(Location, Location.region_id.isnot(None)) == 0  # no regions yet
    summary = import_regions(shared_data / FULDA_GEMEINDEN)
    assert (summary.new, summary.rejected, summary.locations_assigned) == (23, [], 105)
    outlines = {
        f["properties"]["AGS"]: shape(f["geometry"])
        for f in json.loads((shared_data / FULDA_GEMEINDEN).read_text())["features"]
    }
    stmt = select(Location.external_id, ST_X(Location.geom), ST_Y(Location.geom), Region.code)
    placed = db.session.execute(stmt.join(Region, Location.region_id == Region.id)).all()
    assert len(placed) == 105
    # The database's point in polygon agrees with shapely's for every school, on both databases.
    for external_id, lon, lat, code in placed:
        expected = min(c for c, outline in outlines.items() if outline.intersects(Point(lon, lat)))
        assert code == expected, external_id
    by_school = {row[0]: row[3] for row in placed}
    assert by_school["HE-5390-0"] == "06631009"  # Fulda
    assert by_school["HE-4101-0"] == "06631016"  # Kalbach
    assert len(set(by_school.values())) == 23


def test_regions_import_brings_the_gemeinde_facet_of_the_search_up_to_date(app_ctx, shared_data):
    run_import(shared_data / FULDA_SCHOOLS, "jedeschule-schulen", "fulda")
    facets = ("region",)
    assert search_backend().query(SearchQuery(facets=facets)).facets["region"] == {}
    import_regions(shared_data / FULDA_GEMEINDEN)
    regions = search_backend().query(SearchQuery(facets=facets)).facets["region"]
    stmt = select(Region.code).join(Location, Location.region_id == Region.id)
    assert regions == Counter(db.session.scalars(stmt))
    assert (len(regions), sum(regions.values())) == (23, 105)
    kalbach = search_backend().query(SearchQuery(terms={"region": ["06631016"]}, per_page=100))
    assert "location:" + str(location("HE-4101-0", "fulda").id) in {h.id for h in kalbach.hits}


def test_regions_import_again_changes_nothing_and_keeps_updated_at(app_ctx, shared_data):
    run_import(shared_data / FULDA_SCHOOLS, "jedeschule-schulen", "fulda", update_index=False)
    import_regions(shared_data / FULDA_GEMEINDEN)
    before = dict(db.session.execute(select(Location.id, Location.updated_at)).all())
    again = import_regions(shared_data / FULDA_GEMEINDEN)
    assert (again.new, again.changed, again.unchanged, again.locations_assigned) == (0, 0, 23, 0)
    assert dict(db.session.execute(select(Location.id, Location.updated_at)).all()) == before


def test_assigning_regions_leaves_updated_at_alone(app_ctx, shared_data):
    # A Gemeinde follows from the position and the outlines: derived, not a change of the
    # entry's content, which updated_at dates (API, exports, the sitemap's lastmod).
    run_import(shared_data / FULDA_SCHOOLS, "jedeschule-schulen", "fulda", update_index=False)
    before = dict(db.session.execute(select(Location.id, Location.updated_at)).all())
    assert import_regions(shared_data / FULDA_GEMEINDEN).locations_assigned == 105
    assert dict(db.session.execute(select(Location.id, Location.updated_at)).all()) == before


def test_lernorte_imported_into_regions_keep_their_creation_time(app_ctx, shared_data, count):
    import_regions(shared_data / FULDA_GEMEINDEN)
    run_import(shared_data / FULDA_SCHOOLS, "jedeschule-schulen", "fulda", update_index=False)
    assert count(Location, Location.region_id.isnot(None)) == 105
    assert count(Location, Location.updated_at != Location.created_at) == 0


def test_population_is_set_by_ags(app_ctx, shared_data, tmp_path):
    figures = tmp_path / "einwohner.csv"
    figures.write_text(
        "AGS;type;name;NUTS3;area_km2;population\n"
        "06631009;Stadt;Fulda;DE732;104.04;68.232\n"
        "06631016;Gemeinde;Kalbach;DE732;60.1;6300\n"
        "01001;Kreisfreie Stadt;Flensburg;DEF01;56.73;89504\n",
        encoding="utf-8",
    )
    summary = import_regions(shared_data / FULDA_GEMEINDEN, population=figures)
    assert (summary.population_set, summary.population_unmatched) == (2, 1)
    population = dict(db.session.execute(select(Region.code, Region.population)).all())
    assert (population["06631009"], population["06631016"], population["06631001"]) == (
        68232,
        6300,
        None,
    )


def test_district_population_file_matches_district_regions(app_ctx, shared_data):
    summary = import_regions(
        shared_data / FULDA_GEMEINDEN, population=shared_data / "kreise/districts.csv"
    )
    # The file lists the 401 districts; regions here are Gemeinden, so none matches.
    assert (summary.population_set, summary.population_unmatched, summary.rejected) == (0, 401, [])


def test_hessen_schools(app_ctx, shared_data):
    summary = run_import(
        shared_data / "hessen/schulen_hessen.csv", "jedeschule-schulen", update_index=False
    )
    assert (summary.new, len(summary.rejected), len(summary.unplaced)) == (2040, 0, 0)
    assert kinds("schulen-hessen")["Gesamtschule"] == 230


def test_flensburg_schools(app_ctx, shared_data, count):
    summary = run_import(
        shared_data / "flensburg/schulen_flensburg.csv", "flensburg-schulen", update_index=False
    )
    assert (summary.new, summary.rejected) == (30, [])
    skole = db.session.scalars(select(Location).where(Location.name == "Jørgensby-Skolen")).one()
    assert skole.languages == ["da", "de"]
    assert skole.organization.name == "Dansk Skoleforening for Sydslesvig"
    assert count(Organization, Organization.source == "schulen-flensburg") < 30  # reused by name
    assert position("0702020", "schulen-flensburg") == pytest.approx(
        (9.427890874638875, 54.772641930250046)
    )


def test_berlin_kitas_from_overpass(app_ctx, shared_data):
    summary = run_import(
        shared_data / "osm/kitas_berlin_overpass.json", "osm-kitas", "osm-kitas", update_index=False
    )
    assert (summary.new, len(summary.rejected)) == (1349, 30)
    assert {(r.field, r.reason) for r in summary.rejected} == {
        ("name", "name is empty; every row needs one")
    }
    kita = location("node/268915158", "osm-kitas")
    assert (kita.name, kita.kind.code, kita.step_free, kita.postcode) == (
        "Kita Fehlerstraße 2",
        "kita",
        True,
        "12161",
    )
    assert position("node/268915158", "osm-kitas") == pytest.approx((13.3258251, 52.4767411))


def test_geonames_gazetteer(app_ctx, shared_data, count, tmp_path):
    summary = import_gazetteer(shared_data / "plz/zipcodes.de.csv")
    assert (summary.places, summary.postcodes, summary.rejected) == (23297, 10814, [])
    assert count(PostcodePlace) == 23297
    assert locate("36037", "Fulda") == Hit(9.6833, 50.5518, PLACE)
    centre = locate("36037", "Nirgendwo")
    assert centre.precision == POSTCODE
    assert centre.lon == pytest.approx(9.6833, abs=0.05)
    smaller = tmp_path / "plz.csv"
    smaller.write_text(
        "zipcode,place,latitude,longitude,community_code,community,state_code\n"
        "36037,Fulda,50.5518,9.6833,06631,Landkreis Fulda,06\n",
        encoding="utf-8",
    )
    assert import_gazetteer(smaller).places == count(PostcodePlace) == 1  # replaced, not added


def test_projected_geojson_is_reprojected_within_a_metre(app_ctx, shared_data, tmp_path, table):
    schools = table(shared_data / FULDA_SCHOOLS).rows[:20]
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    features = []
    for row in schools:
        x, y = to_utm.transform(float(row["lon"]), float(row["lat"]))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(x, 2), round(y, 2)]},
                "properties": {"Nr": row["id"], "Name": row["name"]},
            }
        )
    path = tmp_path / "schulen_utm.geojson"  # no crs member: recognised from the ranges
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    mapping = tmp_path / "utm.toml"
    mapping.write_text('[import]\ntarget = "location"\nid = "Nr"\n[columns]\nname = "Name"\n')
    assert run_import(path, mapping, "utm").new == 20
    for row in schools:
        lon, lat = position(row["id"], "utm")
        metres = shapely.distance(Point(lon, lat), Point(float(row["lon"]), float(row["lat"])))
        assert metres * 111_000 < 1.0


def test_region_assignment_goes_through_the_spatial_index(app_ctx, shared_data):
    import_regions(shared_data / FULDA_GEMEINDEN)
    table = Location.__table__
    stmt = select(table.c.id, region_of(table.c.geom))
    compiled = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            plan = "\n".join(str(row[-1]) for row in rows)
            assert "SCAN SpatialIndex VIRTUAL TABLE" in plan, plan
            # Regions are looked up by rowid from the index, not scanned one by one.
            assert "SEARCH containing_region USING INTEGER PRIMARY KEY" in plan, plan
        else:
            # Statistics as of this test's rows: earlier tests empty the tables with DELETE,
            # and autovacuum may have left figures that make walking the regions in code
            # order look cheaper (seen in CI).
            conn.exec_driver_sql("ANALYZE regions")
            conn.exec_driver_sql("ANALYZE locations")
            # Few rows make a sequential scan cheaper; switched off, the index must be usable.
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}").all())
            assert "idx_regions_geom" in plan, plan
