"""OpenStreetMap extracts (Overpass JSON, .osm XML) and plain JSON record lists."""

from __future__ import annotations

import json

import pytest

from kbm_map.importers import ImportFileError, Rejection, open_records

OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="50.55" lon="9.67"><tag k="amenity" v="kindergarten"/>
    <tag k="name" v="Kita Domspatzen"/></node>
  <node id="2" lat="50.50" lon="9.60"/>
  <node id="3" lat="50.52" lon="9.64"/>
  <way id="10"><nd ref="2"/><nd ref="3"/><tag k="amenity" v="library"/>
    <tag k="name" v="Stadtbibliothek"/></way>
  <way id="11"><nd ref="99"/><tag k="amenity" v="school"/><tag k="name" v="Ohne Lage"/></way>
</osm>
"""


def test_osm_xml_nodes_and_ways_become_records(write):
    items = list(open_records(write("orte.osm", OSM_XML)))
    node, way, lost = items
    assert node.data == {
        "amenity": "kindergarten",
        "name": "Kita Domspatzen",
        "osm_type": "node",
        "osm_id": 1,
    }
    assert node.geometry == (9.67, 50.55)
    assert way.data["osm_type"] == "way"
    assert way.geometry == pytest.approx((9.62, 50.51))
    assert isinstance(lost, Rejection)
    assert "way/11 has no position" in lost.reason


def test_overpass_way_with_center_uses_it(write):
    document = {
        "elements": [
            {
                "type": "way",
                "id": 5,
                "center": {"lat": 50.5, "lon": 9.6},
                "tags": {"name": "VHS"},
            }
        ]
    }
    record = next(iter(open_records(write("vhs.json", json.dumps(document)))))
    assert (record.data["osm_type"], record.geometry) == ("way", (9.6, 50.5))


def test_broken_xml_is_a_file_error(write):
    with pytest.raises(ImportFileError, match="is not valid XML"):
        open_records(write("kaputt.osm", "<osm><node id='1'></osm>"))


def test_json_list_of_records_with_nested_objects(write):
    document = [{"id": 1, "name": "VHS", "adresse": {"plz": "36037", "ort": "Fulda"}}]
    source = open_records(write("liste.json", json.dumps(document)))
    assert source.columns == ["id", "name", "adresse.plz", "adresse.ort"]
    assert next(iter(source)).data["adresse.ort"] == "Fulda"


def test_json_object_with_one_list_member(write):
    document = {"stand": "2024", "angebote": [{"id": "a"}, {"id": "b"}]}
    assert [r.data["id"] for r in open_records(write("daten.json", json.dumps(document)))] == [
        "a",
        "b",
    ]


def test_json_object_with_two_lists_is_a_file_error(write):
    document = {"a": [], "b": []}
    with pytest.raises(ImportFileError, match=r"2 list members \(a, b\)"):
        open_records(write("daten.json", json.dumps(document)))


def test_invalid_json_says_where(write):
    with pytest.raises(ImportFileError, match=r"not valid JSON \(line 2"):
        open_records(write("daten.json", '[{"id": 1},\n {"id": }]'))
