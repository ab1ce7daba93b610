"""Bad input: a clear message each, valid rows never half-written, the database as before."""

from __future__ import annotations

import os
import signal
from dataclasses import replace

import pytest
from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import select

from kbm_map.cli.data import _termination_as_interrupt
from kbm_map.extensions import db
from kbm_map.importers import load_mapping, open_records
from kbm_map.models import AuditEntry, ImportRun, Location, Organization
from kbm_map.services.datafiles import DataFileError
from kbm_map.services.imports import ImportRunError, run_import

HEADER = "ID;Name;Adresse;Träger;Breite;Länge\n"
ROWS = [
    "1;Grundschule Uttrichshausen;Schulstraße 1, 36148 Kalbach;Gemeinde Kalbach;50,411207;9,728713",
    "2;Kita Sonnenschein;Am Markt 3a, 36037 Fulda;Stadt Fulda;50,5518;9,6833",
    "3;VHS Fulda;Gallasiniring 30, 36043 Fulda;Landkreis Fulda;50,5489;9,6925",
]
MAPPING = """
[import]
target = "location"
id = "ID"

[columns]
name = "Name"
address = "Adresse"
organization = "Träger"
lat = "Breite"
lon = "Länge"

[defaults]
kind = "Sonstiger Lernort"
"""


@pytest.fixture
def mapping(tmp_path):
    """Write the mapping for the small test list."""
    path = tmp_path / "liste.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


@pytest.fixture
def write(tmp_path):
    """Return a function that writes a file into tmp_path."""

    def _write(name: str, content: str | bytes) -> os.PathLike:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return _write


@pytest.fixture
def imported(app_ctx, write, mapping):
    """Import the three rows as source 'liste' and return the database's state."""
    run_import(write("liste.csv", HEADER + "\n".join(ROWS)), mapping, "liste", update_index=False)
    return state()


def state() -> tuple:
    """Return everything an import may write, to compare before and after."""
    locations = db.session.execute(
        select(Location.external_id, Location.name, Location.status, Location.updated_at).order_by(
            Location.external_id
        )
    ).all()
    audits = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    organizations = db.session.scalar(select(db.func.count()).select_from(Organization))
    return locations, audits, organizations


def last_run() -> ImportRun:
    """Return the newest ImportRun."""
    return db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()


def fails(path, mapping, match: str, error=DataFileError):
    """Import and expect a file-level error; return the recorded run."""
    with pytest.raises(error, match=match):
        run_import(path, mapping, "liste", update_index=False)
    run = last_run()
    assert run.status == "failed" and run.message
    return run


def test_wrong_encoding_is_a_file_error_and_changes_nothing(imported, write, mapping):
    broken = (HEADER + ROWS[0]).encode("cp1252").replace(b"Kalbach", b"Kalb\x81ch")
    fails(write("liste.csv", broken), mapping, "neither UTF-8 nor Windows-1252 text")
    assert state() == imported


def test_missing_column_is_named_with_the_columns_the_file_has(imported, write, mapping):
    path = write("liste.csv", HEADER.replace("Name", "Bezeichnung") + ROWS[0])
    run = fails(path, mapping, r"needs the column\(s\) 'Name' \(for name\)")
    assert "The file's columns are: ID, Bezeichnung, Adresse, Träger, Breite, Länge" in run.message
    assert state() == imported


def test_unparsable_number_rejects_only_that_row(app_ctx, write, mapping):
    rows = [ROWS[0], ROWS[1].replace("50,5518", "fünfzig"), ROWS[2]]
    summary = run_import(write("liste.csv", HEADER + "\n".join(rows)), mapping, "liste")
    assert summary.new == 2
    [rejected] = summary.rejected
    assert (rejected.file, rejected.row, rejected.field, rejected.reason) == (
        "liste.csv",
        3,
        "lat",
        "coordinate 'fünfzig' is not a number",
    )
    assert db.session.get(ImportRun, summary.run_id).rejected == [
        {
            "file": "liste.csv",
            "row": 3,
            "field": "lat",
            "reason": "coordinate 'fünfzig' is not a number",
        }
    ]


def test_position_outside_the_region_is_rejected_and_a_swapped_one_corrected(
    app_ctx, write, mapping, monkeypatch
):
    monkeypatch.setitem(app_ctx.config, "REGION_BBOX", (9.3, 50.3, 10.1, 50.8))  # Landkreis Fulda
    rows = [
        ROWS[0].replace("50,411207;9,728713", "9,728713;50,411207"),  # swapped
        ROWS[1].replace("50,5518;9,6833", "52,52;13,40"),  # Berlin
        ROWS[2],
    ]
    summary = run_import(write("liste.csv", HEADER + "\n".join(rows)), mapping, "liste")
    assert summary.new == 2
    assert [(r.row, r.field) for r in summary.rejected] == [(3, "lat")]
    assert "lie outside the region" in summary.rejected[0].reason
    assert summary.warnings == [
        "file liste.csv, row 2, field lat: latitude and longitude were swapped "
        "(50.411207, 9.728713); corrected"
    ]
    stmt = select(ST_X(Location.geom), ST_Y(Location.geom)).where(Location.external_id == "1")
    assert db.session.execute(stmt).one() == pytest.approx((9.728713, 50.411207))


def test_duplicate_id_rejects_the_later_row_naming_the_first(app_ctx, write, mapping):
    rows = [ROWS[0], ROWS[1], ROWS[2].replace("3;VHS", "1;VHS")]
    summary = run_import(write("liste.csv", HEADER + "\n".join(rows)), mapping, "liste")
    assert summary.new == 2
    assert [(r.row, r.field, r.reason) for r in summary.rejected] == [
        (4, "id", "id '1' was already used in row 2; this row was skipped")
    ]
    assert db.session.scalars(select(Location.name).where(Location.external_id == "1")).one() == (
        "Grundschule Uttrichshausen"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (HEADER.encode(), "has a header row but no data rows")],
)
def test_empty_file_is_a_file_error(imported, write, mapping, content, message):
    fails(write("liste.csv", content), mapping, message)
    assert state() == imported


def test_file_of_another_kind_is_named(imported, write, mapping):
    fails(write("liste.csv", '{"type": "FeatureCollection"}'), mapping, "looks like JSON")
    assert state() == imported


def test_mapping_for_another_target_is_refused(imported, write):
    path = write("liste.csv", HEADER + ROWS[0])
    fails(path, "bkg-gemeinden", "is for target 'region', but this command imports location")
    assert state() == imported


def test_missing_file_and_unknown_mapping_are_named(app_ctx, tmp_path, mapping):
    with pytest.raises(DataFileError, match="does not exist"):
        run_import(tmp_path / "fehlt.csv", mapping, "liste")
    with pytest.raises(DataFileError, match="no shipped mapping of that name"):
        run_import(tmp_path / "fehlt.csv", "jedeschulen", "liste")


def test_huge_file_is_refused_before_reading(imported, tmp_path, mapping):
    path = tmp_path / "riesig.csv"
    with path.open("wb") as handle:
        handle.truncate(600 * 2**20)  # sparse: takes no disk space
    fails(path, mapping, "is 600 MB; files up to 512 MB can be imported")
    assert state() == imported


def test_file_without_a_single_valid_row_withdraws_nothing(imported, write, mapping):
    rows = [r.replace(";50,", ";x").replace(";52,", ";x") for r in ROWS]
    fails(write("liste.csv", HEADER + "\n".join(rows)), mapping, "no row could be imported")
    assert state() == imported


def test_text_too_long_for_its_column_rejects_the_row(app_ctx, write, mapping):
    rows = [ROWS[0], ROWS[1].replace("Kita Sonnenschein", "Kita " + "Sonnenschein" * 30)]
    summary = run_import(write("liste.csv", HEADER + "\n".join(rows)), mapping, "liste")
    assert summary.new == 1
    assert [(r.field, r.reason) for r in summary.rejected] == [
        ("name", "name has 365 characters; at most 255 fit")
    ]


def test_bad_source_name_is_explained(app_ctx, write, mapping):
    with pytest.raises(ImportRunError, match="no blanks or colons"):
        run_import(write("liste.csv", HEADER + ROWS[0]), mapping, "meine liste")


def test_interrupted_import_leaves_the_database_as_before(imported, write, mapping):
    changed = [r.replace("Fulda;", "Fulda (neu);") for r in ROWS]
    more = [f"{n};Lernort {n};Weg {n}, 36037 Fulda;Träger {n};50,55;9,68" for n in range(4, 60)]
    path = write("liste.csv", HEADER + "\n".join(changed + more))
    rules = load_mapping(mapping)
    source = open_records(path, rules)

    def rows_then_ctrl_c():
        for number, record in enumerate(source.read()):
            if number == 25:  # two chunks of 10 are written by now
                raise KeyboardInterrupt
            yield record

    with pytest.raises(KeyboardInterrupt):
        run_import(
            path, mapping, "liste", records=replace(source, read=rows_then_ctrl_c), chunk_size=10
        )
    assert state() == imported
    run = last_run()
    assert (run.status, run.message) == ("interrupted", "interrupted; nothing was changed")


def test_kill_during_an_import_rolls_back_like_ctrl_c(imported, write, mapping):
    changed = [r.replace("Fulda;", "Fulda (neu);") for r in ROWS]
    more = [f"{n};Lernort {n};Weg {n}, 36037 Fulda;Träger {n};50,55;9,68" for n in range(4, 60)]
    path = write("liste.csv", HEADER + "\n".join(changed + more))
    source = open_records(path, load_mapping(mapping))

    def rows_then_kill():
        for number, record in enumerate(source.read()):
            if number == 25:
                os.kill(os.getpid(), signal.SIGTERM)  # as `kill PID` from another terminal
            yield record

    with pytest.raises(KeyboardInterrupt), _termination_as_interrupt():
        run_import(
            path, mapping, "liste", records=replace(source, read=rows_then_kill), chunk_size=10
        )
    assert state() == imported
    assert last_run().status == "interrupted"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is gone again
