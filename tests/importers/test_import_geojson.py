"""GeoJSON in WGS84, UTM 32N and Gauss-Krüger, with and without a crs member."""

from __future__ import annotations

import json

import pytest
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon

from kbm_map.importers import ImportFileError, open_records, parse_mapping

FULDA_DOM = (9.6723, 50.5546)  # lon, lat
KALBACH = (9.728713, 50.411207)
GEOD = Geod(ellps="WGS84")


def projected(points, epsg):
    """Project WGS84 (lon, lat) points to the given EPSG code."""
    to = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    return [list(to.transform(lon, lat)) for lon, lat in points]


def distance_m(a, b):
    """Return the distance between two (lon, lat) points in metres."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def collection(points, crs_name=None):
    """Build a FeatureCollection of named points, with an optional crs member."""
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": f"Ort {i}"},
                "geometry": {"type": "Point", "coordinates": xy},
            }
            for i, xy in enumerate(points, start=1)
        ],
    }
    if crs_name:
        document["crs"] = {"type": "name", "properties": {"name": crs_name}}
    return json.dumps(document)


@pytest.mark.parametrize(
    ("epsg", "crs_name"),
    [
        (25832, "urn:ogc:def:crs:EPSG::25832"),
        (25832, None),
        (31467, "EPSG:31467"),
        (31467, None),
        (4647, None),
    ],
)
def test_projected_points_come_back_within_a_metre(write, epsg, crs_name):
    path = write("orte.geojson", collection(projected([FULDA_DOM, KALBACH], epsg), crs_name))
    source = open_records(path)
    assert source.crs == f"EPSG:{epsg}"
    positions = [r.geometry for r in source]
    assert distance_m(positions[0], FULDA_DOM) < 1
    assert distance_m(positions[1], KALBACH) < 1


def test_guessed_crs_is_noted(write):
    source = open_records(write("orte.geojson", collection(projected([FULDA_DOM], 25832))))
    assert source.notes == ["coordinate system: EPSG:25832 (recognised from the coordinate ranges)"]


def test_crs84_member_means_lon_lat(write):
    source = open_records(
        write("orte.geojson", collection([FULDA_DOM], "urn:ogc:def:crs:OGC:1.3:CRS84"))
    )
    assert next(iter(source)).geometry == FULDA_DOM


def test_projected_polygon_becomes_a_wgs84_shape(write, run):
    ring = [(9.60, 50.50), (9.75, 50.50), (9.75, 50.60), (9.60, 50.60), (9.60, 50.50)]
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"AGS": "6631009", "GEN": "Fulda"},
                "geometry": {"type": "Polygon", "coordinates": [projected(ring, 25832)]},
            }
        ],
    }
    mapping = parse_mapping('[import]\ntarget = "region"\n[columns]\ncode = "AGS"\nname = "GEN"\n')
    mapped, rejected = run(write("fulda.geojson", json.dumps(document)), mapping)
    assert rejected == []
    region = mapped[0].record
    assert region.code == "06631009"  # the lost leading zero is restored, with a warning
    assert isinstance(region.geometry, MultiPolygon)
    minx, miny, maxx, maxy = region.geometry.bounds
    assert (round(minx, 5), round(miny, 5), round(maxx, 5), round(maxy, 5)) == (
        9.6,
        50.5,
        9.75,
        50.6,
    )


def test_feature_is_not_a_feature_collection(write):
    feature = {"type": "Feature", "properties": {}, "geometry": None}
    with pytest.raises(ImportFileError) as error:
        open_records(write("ein.geojson", json.dumps(feature)))
    assert str(error.value) == (
        "file ein.geojson: not a GeoJSON FeatureCollection (top-level type is 'Feature')"
    )


def test_csv_named_geojson_is_a_file_error(write):
    with pytest.raises(ImportFileError, match="should be GeoJSON but looks like plain text"):
        open_records(write("orte.geojson", "ID;Name\n1;A\n"))


def test_coordinates_in_no_known_system_are_a_file_error(write):
    with pytest.raises(ImportFileError, match="fit no known coordinate system"):
        open_records(write("orte.geojson", collection([[123456789.0, 5.0]])))


def test_empty_feature_collection_is_a_file_error(write):
    empty = json.dumps({"type": "FeatureCollection", "features": []})
    with pytest.raises(ImportFileError, match="has no features"):
        open_records(write("leer.geojson", empty))
