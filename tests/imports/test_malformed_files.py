"""Malformed files: one line naming the file, never a traceback or a 500, nothing changed.

A crafted corpus (tests/imports/badfiles.py, written at run time) goes through every CLI
reader and the browser import; hypothesis mutates real shared files byte by byte and builds
broken structures. Runs are derandomized and small so that they stay fast and repeatable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kbm_map.extensions import db
from kbm_map.importers import ImportFileError, apply_mapping, load_mapping, open_records
from kbm_map.models import Location, Region
from kbm_map.services.datafiles import MAPPINGS_DIR

from .badfiles import CSV_HEADER, CSV_ROW, corpus, mutate

FIXED = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SHARED = [
    ("fulda/schulen_lk_fulda.csv", "jedeschule-schulen"),
    ("flensburg/schulen_flensburg.csv", "flensburg-schulen"),
    ("fulda/gemeinden_lk_fulda.geojson", "bkg-gemeinden"),
    ("osm/kitas_berlin_overpass.json", "osm-kitas"),
    ("kreise/districts.csv", "destatis-kreise"),
]
BIG = "<a number of 4,400 digits>"  # written as its digits by dumped()
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["cut", "flip", "insert", "repeat"]),
        st.integers(0, 2**31),
        st.integers(0, 2**16),
    ),
    min_size=1,
    max_size=6,
)


def stored() -> tuple:
    """Return what an import may change, to compare before and after a failed one."""
    locations = db.session.execute(select(Location.id, Location.name, Location.updated_at))
    regions = db.session.execute(select(Region.id, Region.name, Region.population))
    return sorted(locations.all()), sorted(regions.all(), key=repr)


def assert_one_line(output: str, name: str) -> None:
    """The answer is one line naming the file, with no traceback."""
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert name in lines[0], output
    lines[0].encode("utf-8")  # printable: no lone surrogates


def cli(runner, command: str, path: Path, mapping: str):
    """Run a kbm-map reading command on a file."""
    return runner.invoke(args=[*command.split(), str(path), "-m", mapping])


@pytest.mark.parametrize("entry", corpus(), ids=lambda entry: entry[0])
def test_every_crafted_bad_file_is_one_line_and_changes_nothing(runner, tmp_path, entry):
    name, content, command, mapping = entry
    path = tmp_path / name
    path.write_bytes(content)
    before = stored()
    result = cli(runner, command, path, mapping)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert_one_line(result.output, name)
    db.session.rollback()
    assert stored() == before


def test_utf32_with_a_byte_order_mark_is_read(runner, tmp_path):
    path = tmp_path / "utf32.csv"
    path.write_bytes((CSV_HEADER + CSV_ROW).encode("utf-32"))
    result = cli(runner, "import", path, "jedeschule-schulen")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Location)) == 1


def write_one_kita(path):
    """Write an Overpass JSON file with one Kita and return its path."""
    kita = {"type": "node", "id": 1, "lat": 52.5, "lon": 13.4, "tags": {"amenity": "kindergarten"}}
    kita["tags"]["name"] = "Kita Sonnenschein"
    path.write_text(json.dumps({"elements": [kita]}))
    return path


def test_a_bad_file_keeps_what_an_import_stored(runner, tmp_path):
    good = write_one_kita(tmp_path / "good.json")
    assert cli(runner, "import --source kitas", good, "osm-kitas").exit_code == 0
    before = stored()
    bad = tmp_path / "good.json"
    bad.write_bytes(b'{"elements":[{"type":"node","id":' + b"9" * 5000 + b"}]}")
    result = cli(runner, "import --source kitas", bad, "osm-kitas")
    assert result.exit_code == 1
    assert_one_line(result.output, "good.json")
    db.session.rollback()
    assert stored() == before
    assert db.session.scalar(select(func.count()).select_from(Location)) == 1


def test_refresh_of_a_file_that_broke_says_so_and_keeps_the_entries(runner, tmp_path):
    path = write_one_kita(tmp_path / "kitas.json")
    assert cli(runner, "import --source kitas", path, "osm-kitas").exit_code == 0
    before = stored()
    path.write_bytes(b"[" * 10_000)
    result = runner.invoke(args=["refresh"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "kitas.json" in result.output
    db.session.rollback()
    assert stored() == before


def test_the_shared_strings_bomb_is_refused_with_the_limit(tmp_path):
    from kbm_map.importers import xlsxfile

    path = tmp_path / "bomb.xlsx"
    path.write_bytes(corpus_entry("shared-strings.xlsx"))
    with pytest.raises(ImportFileError, match=f"more than {xlsxfile.MAX_SHARED_STRINGS:,}"):
        open_records(path)


def corpus_entry(name: str) -> bytes:
    """Return the content of one crafted file."""
    return next(content for entry_name, content, *_ in corpus() if entry_name == name)


@pytest.mark.parametrize(("relative", "mapping"), SHARED, ids=lambda v: str(v).split("/")[-1])
def test_mutated_shared_files_are_read_or_refused_in_one_line(
    shared_data, tmp_path, relative, mapping
):
    raw = (shared_data / relative).read_bytes()
    rules = load_mapping(MAPPINGS_DIR / f"{mapping}.toml")
    path = tmp_path / Path(relative).name

    @FIXED
    @given(MUTATIONS)
    def check(choices):
        """Read a mutated copy: rows or rejections, or one ImportFileError naming the file."""
        path.write_bytes(mutate(raw, choices))
        try:
            for result in apply_mapping(open_records(path, rules), rules):
                str(result).encode("utf-8")
        except ImportFileError as problem:
            assert_one_line(str(problem), path.name)

    check()


def json_values(depth: int = 4):
    """Return a strategy of odd JSON values: wrong types, deep lists, lone surrogates, big ints."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=False),
        st.text(max_size=8),
        st.just("\ud800"),
        st.just(BIG),
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=12,
    )


FEATURE = st.fixed_dictionaries(
    {"type": st.sampled_from(["Feature", "feature", 1])},
    optional={
        "properties": json_values() | st.fixed_dictionaries({"AGS": json_values()}),
        "geometry": json_values()
        | st.fixed_dictionaries(
            {"type": st.sampled_from(["Point", "Polygon", "MultiPolygon", "X"])},
            optional={"coordinates": json_values()},
        ),
        "id": json_values(),
    },
)
ELEMENT = st.fixed_dictionaries(
    {"type": st.sampled_from(["node", "way", "relation", 5])},
    optional={
        "id": json_values(),
        "lat": json_values(),
        "lon": json_values(),
        "tags": json_values() | st.fixed_dictionaries({"name": json_values()}),
        "nodes": json_values(),
        "members": json_values(),
        "center": json_values(),
        "geometry": json_values(),
    },
)


def dumped(document) -> bytes:
    """Write a document as JSON text as a careless exporter would (big ints, surrogates kept)."""
    return json.dumps(document).replace(json.dumps(BIG), "9" * 4400).encode()


@FIXED
@given(st.lists(FEATURE, max_size=4))
def test_generated_broken_geojson_gives_rows_or_one_line(tmp_path_factory, features):
    path = tmp_path_factory.mktemp("geo") / "broken.geojson"
    write_json(path, {"type": "FeatureCollection", "features": features})
    read_all(path, "bkg-gemeinden")


@FIXED
@given(st.lists(ELEMENT, max_size=4))
def test_generated_broken_overpass_json_gives_rows_or_one_line(tmp_path_factory, items):
    path = tmp_path_factory.mktemp("osm") / "broken.json"
    write_json(path, {"elements": items})
    read_all(path, "osm-kitas")


def write_json(path: Path, document) -> None:
    """Write a document as JSON, big integers included."""
    path.write_bytes(dumped(document))


def read_all(path: Path, mapping: str) -> None:
    """Read and map a file: every result prints, or one ImportFileError names the file."""
    rules = load_mapping(MAPPINGS_DIR / f"{mapping}.toml")
    try:
        for result in apply_mapping(open_records(path, rules), rules):
            str(result).encode("utf-8")
    except ImportFileError as problem:
        assert_one_line(str(problem), path.name)
