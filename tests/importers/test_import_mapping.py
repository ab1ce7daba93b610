"""Mappings: how columns become Lernorte, and which rows are rejected with what reason."""

from __future__ import annotations

import pytest

from kbm_map.importers import ImportFileError, apply_mapping, open_records, parse_mapping
from kbm_map.importers.address import split_address
from kbm_map.importers.records import RawRecord

FULDA_BBOX = (9.428558, 50.356162, 10.08173, 50.811496)
HEADER = "ID;Name;Adresse;Breite;Länge\n"


def test_rows_are_mapped_with_address_split(write, simple_mapping, run):
    path = write("a.csv", HEADER + "1;VHS;Rabanusstraße 40-42, 36037 Fulda;50.5516;9.6803\n")
    mapped, _ = run(path, simple_mapping)
    record = mapped[0].record
    assert (record.street, record.house_number, record.postcode, record.city) == (
        "Rabanusstraße",
        "40-42",
        "36037",
        "Fulda",
    )


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Schulstraße 1, 36148 Kalbach", ("Schulstraße", "1", "36148", "Kalbach")),
        ("Rabanusstraße 40-42, 36037 Fulda", ("Rabanusstraße", "40-42", "36037", "Fulda")),
        ("Am Markt 3a, 36037 Fulda", ("Am Markt", "3a", "36037", "Fulda")),
        ("Loheland, 36093 Künzell", ("Loheland", None, "36093", "Künzell")),
        ("Schulstraße 1 36148 Kalbach", ("Schulstraße", "1", "36148", "Kalbach")),
        (
            "Straße des 17. Juni 135, 10623 Berlin",
            ("Straße des 17. Juni", "135", "10623", "Berlin"),
        ),
        ("Mürwiker Str. 155 a, 24944 Flensburg", ("Mürwiker Str.", "155 a", "24944", "Flensburg")),
        ("Am Markt 3a", ("Am Markt", "3a", None, None)),
        ("36037 Fulda", (None, None, "36037", "Fulda")),
        ("Marktplatz 1, D-36037 Fulda", ("Marktplatz", "1", "36037", "Fulda")),
    ],
)
def test_address_split(text, parts):
    address = split_address(text)
    assert (address.street, address.house_number, address.postcode, address.city) == parts


def test_swapped_lat_lon_is_corrected_with_a_warning(write, simple_mapping, run):
    path = write("a.csv", HEADER + "1;Kita;Am Markt 3a, 36037 Fulda;9.6803;50.5516\n")
    mapped, rejected = run(path, simple_mapping, region_bbox=FULDA_BBOX)
    assert rejected == []
    assert (mapped[0].record.lon, mapped[0].record.lat) == (9.6803, 50.5516)
    assert mapped[0].describe_warnings() == [
        "file a.csv, row 2, field lat: latitude and longitude were swapped (50.5516, 9.6803); "
        "corrected"
    ]


def test_point_outside_region_is_rejected_naming_the_bbox(write, simple_mapping, run):
    path = write("a.csv", HEADER + "7;Schule Kassel;;51.3127;9.4797\n")
    mapped, rejected = run(path, simple_mapping, region_bbox=FULDA_BBOX)
    assert mapped == []
    assert str(rejected[0]) == (
        "file a.csv, row 2, field lat: coordinates (9.4797, 51.3127) lie outside the region "
        "(bbox 9.4286, 50.3562, 10.0817, 50.8115)"
    )


def test_point_in_the_sea_is_rejected_as_outside_germany(write, simple_mapping, run):
    path = write("a.csv", HEADER + "8;Atlantis;;56.5;3.0\n")
    _, rejected = run(path, simple_mapping)
    assert rejected[0].reason == "coordinates (3.0, 56.5) lie outside Germany"


def test_point_in_bbox_but_outside_region_outline_is_rejected(write, simple_mapping, run):
    from shapely.geometry import box

    area = box(9.6, 50.5, 9.7, 50.6)
    path = write("a.csv", HEADER + "9;Nebenan;;50.55;9.75\n")
    _, rejected = run(path, simple_mapping, region_area=area, region_bbox=(9.5, 50.4, 9.8, 50.7))
    assert rejected[0].reason == "coordinates (9.75, 50.55) lie outside the region's boundary"


def test_row_without_coordinates_is_kept_without_position(write, simple_mapping, run):
    mapped, rejected = run(
        write("a.csv", HEADER + "1;Beratung;Am Markt 3, 36037 Fulda;;\n"), simple_mapping
    )
    assert rejected == []
    assert (mapped[0].record.lon, mapped[0].record.lat) == (None, None)


def test_bad_coordinate_is_rejected(write, simple_mapping, run):
    _, rejected = run(write("a.csv", HEADER + "1;Kita;;fünfzig;9.7\n"), simple_mapping)
    assert (rejected[0].field, rejected[0].reason) == (
        "lat",
        "coordinate 'fünfzig' is not a number",
    )


def test_missing_name_is_rejected_but_other_rows_go_on(write, simple_mapping, run):
    path = write("a.csv", HEADER + "1;;;;\n2;Kita B;;;\n")
    mapped, rejected = run(path, simple_mapping)
    assert [m.record.name for m in mapped] == ["Kita B"]
    assert str(rejected[0]) == "file a.csv, row 2, field name: name is empty; every row needs one"


def test_missing_required_column_names_it_and_lists_the_existing_ones(write, simple_mapping):
    path = write("a.csv", "ID;Bezeichnung;Adresse;Breite;Länge\n1;Kita;;;\n")
    with pytest.raises(ImportFileError) as error:
        apply_mapping(open_records(path, simple_mapping), simple_mapping)
    assert str(error.value) == (
        "file a.csv: mapping simple.toml needs the column(s) 'Name' (for name), which the file "
        "does not have. The file's columns are: ID, Bezeichnung, Adresse, Breite, Länge"
    )


def test_column_names_match_regardless_of_case_and_spaces(write, simple_mapping, run):
    path = write("a.csv", "id;NAME;adresse;breite;länge\n1;Kita;;;\n")
    mapped, _ = run(path, simple_mapping)
    assert mapped[0].record.name == "Kita"


def test_duplicate_id_rejects_later_rows_naming_the_first(write, simple_mapping, run):
    path = write("a.csv", HEADER + "1;Kita A;;;\n2;Kita B;;;\n1;Kita C;;;\n")
    mapped, rejected = run(path, simple_mapping)
    assert [m.record.name for m in mapped] == ["Kita A", "Kita B"]
    assert str(rejected[0]) == (
        "file a.csv, row 4, field id: id '1' was already used in row 2; this row was skipped"
    )


@pytest.mark.parametrize(
    "name", ["<img src=x onerror=alert(1)>", "${alert(1)}", "'; DROP TABLE x;--"]
)
def test_hostile_names_pass_through_unchanged(write, simple_mapping, run, name):
    quoted = '"' + name.replace('"', '""') + '"'
    mapped, _ = run(write("a.csv", f"{HEADER}1;{quoted};;;\n"), simple_mapping)
    assert mapped[0].record.name == name


def test_bad_email_and_url_are_dropped_with_warnings_and_bare_domain_gets_https():
    mapping = parse_mapping(
        '[import]\ntarget = "location"\nid = "id"\n'
        '[columns]\nname = "name"\nemail = "mail"\nwebsite = "web"\n'
    )
    rows = [
        RawRecord(2, {"id": "1", "name": "A", "mail": "info(at)vhs.de", "web": "keine"}),
        RawRecord(3, {"id": "2", "name": "B", "mail": "mailto:a@b.de", "web": "www.vhs-fulda.de"}),
    ]
    first, second = apply_mapping(rows, mapping)
    assert (first.record.email, first.record.website) == (None, None)
    assert [str(w) for w in first.warnings] == [
        "field email: 'info(at)vhs.de' is not an e-mail address; left out",
        "field website: 'keine' is not a web address; left out",
    ]
    assert (second.record.email, second.record.website) == ("a@b.de", "https://www.vhs-fulda.de")


def test_translate_with_reject_names_the_value():
    mapping = parse_mapping(
        '[import]\ntarget = "location"\nid = "id"\n[columns]\nname = "name"\n'
        '[columns.kind]\ncolumn = "typ"\notherwise = "reject"\n'
        'translate = { VHS = "Volkshochschule" }\n'
    )
    rows = [
        RawRecord(2, {"id": "1", "name": "A", "typ": "vhs"}),
        RawRecord(3, {"id": "2", "name": "B", "typ": "Zoo"}),
    ]
    accepted, rejected = apply_mapping(rows, mapping)
    assert (accepted.record.kind, accepted.record.areas) == ("Volkshochschule", ["weiterbildung"])
    assert rejected.reason == "value 'Zoo' is not listed under translate in the mapping"


def test_template_id_and_flags_and_list_column():
    mapping = parse_mapping(
        """
[import]
target = "location"
id = "{Träger}-{Nr}"
[columns]
name = "Name"
languages = "Sprachen"
[flags.areas]
"Beratung" = "bildungsberatung"
"Kurse" = "Weiterbildung und Erwachsenenbildung"
"""
    )
    row = {
        "Träger": "VHS",
        "Nr": "12",
        "Name": "A",
        "Sprachen": "DE; tr, ar",
        "Beratung": "x",
        "Kurse": "ja",
    }
    (result,) = apply_mapping([RawRecord(2, row)], mapping)
    assert result.record.external_id == "VHS-12"
    assert result.record.areas == ["bildungsberatung", "weiterbildung"]
    assert result.record.languages == ["de", "tr", "ar"]


def test_plain_iterable_without_records_is_a_file_error():
    mapping = parse_mapping('[import]\ntarget = "location"\nid = "id"\n[columns]\nname = "name"\n')
    with pytest.raises(ImportFileError, match="contains no records"):
        apply_mapping(iter([]), mapping)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[import]\ntarget = "schule"\n', "target must be one of location, offer, region"),
        ('[import]\ntarget = "location"\n[columns]\nname = "n"\n', "[import] id is missing"),
        (
            '[import]\ntarget = "location"\nid = "i"\n[columns]\nname = "n"\nort = "o"\n',
            "'ort' is not a field; fields are: external_id, name",
        ),
        (
            '[import]\ntarget = "location"\nid = "i"\n[columns]\nname = "n"\n'
            '[defaults]\nkind = "Kindergarten"\n',
            "'Kindergarten' is not a known kind of place",
        ),
        ('[import]\ntarget = "location"\nid = "i"\n[colums]\n', "unknown sections: colums"),
        ("[import\n", "is not valid TOML"),
    ],
)
def test_mapping_mistakes_are_explained(text, message):
    with pytest.raises(ImportFileError) as error:
        parse_mapping(text, "meine.toml")
    assert str(error.value).startswith("mapping meine.toml: ")
    assert message in str(error.value)


@pytest.mark.parametrize(
    "name",
    [
        "jedeschule-schulen",
        "flensburg-schulen",
        "osm-kitas",
        "bkg-gemeinden",
        "geonames-plz",
        "destatis-kreise",
    ],
)
def test_shipped_mappings_load(shipped, name):
    assert shipped(name).name == f"{name}.toml"


def test_geojson_points_give_the_position_of_locations(write, run):
    document = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"id": "b1", "Name": "Stadtbibliothek", "Straße": "Heinrichstraße 10"}, '
        '"geometry": {"type": "Point", "coordinates": [9.6767, 50.5541]}}]}'
    )
    mapping = parse_mapping(
        '[import]\ntarget = "location"\nid = "id"\n[columns]\nname = "Name"\n'
        'street_and_number = "Straße"\n[defaults]\nkind = "Bibliothek"\n'
    )
    mapped, rejected = run(write("bib.geojson", document), mapping)
    record = mapped[0].record
    assert (record.lon, record.lat, record.street, record.house_number) == (
        9.6767,
        50.5541,
        "Heinrichstraße",
        "10",
    )
    assert record.areas == ["non_formale_bildung"]


def test_population_with_thousands_separators_and_bad_numbers():
    mapping = parse_mapping(
        '[import]\ntarget = "population"\n[columns]\ncode = "AGS"\npopulation = "Einwohner"\n'
    )
    rows = [
        RawRecord(2, {"AGS": "06631", "Einwohner": "222.584"}),
        RawRecord(3, {"AGS": "06632", "Einwohner": "unbekannt"}),
    ]
    accepted, rejected = apply_mapping(rows, mapping)
    assert (accepted.record.code, accepted.record.population) == ("06631", 222584)
    assert str(rejected) == "row 3, field population: 'unbekannt' is not a whole number"


def test_gazetteer_rejects_a_postcode_that_is_not_one():
    mapping = parse_mapping(
        '[import]\ntarget = "gazetteer"\n[columns]\npostcode = "plz"\nplace = "ort"\n'
        'lat = "lat"\nlon = "lon"\n'
    )
    rows = [RawRecord(2, {"plz": "3603", "ort": "X", "lat": "50.5", "lon": "9.6"})]
    rows.append(RawRecord(3, {"plz": "36O37", "ort": "Fulda", "lat": "50.5", "lon": "9.6"}))
    repaired, rejected = apply_mapping(rows, mapping)
    assert repaired.record.postcode == "03603"
    assert rejected.reason == "postcode '36O37' does not have 5 digits"


def test_projected_coordinate_columns_are_reprojected(write, run):
    from pyproj import Transformer

    easting, northing = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True).transform(
        9.6723, 50.5546
    )
    mapping = parse_mapping(
        '[import]\ntarget = "location"\nid = "Nr"\ncrs = "EPSG:25832"\n'
        '[columns]\nname = "Name"\nlon = "Rechtswert"\nlat = "Hochwert"\n'
    )
    path = write("utm.csv", f"Nr;Name;Rechtswert;Hochwert\n1;Dom;{easting:.2f};{northing:.2f}\n")
    mapped, _ = run(path, mapping)
    assert mapped[0].record.lon == pytest.approx(9.6723, abs=1e-5)
    assert mapped[0].record.lat == pytest.approx(50.5546, abs=1e-5)
