"""The data commands: import, refresh, regions, gazetteer, export – output and exit status."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import Location, Source

from .conftest import FULDA_GEMEINDEN

pytestmark = pytest.mark.shared_data


def invoke(runner, *args):
    """Run a kbm-map command and return the result."""
    return runner.invoke(args=[str(a) for a in args], catch_exceptions=False)


def test_import_prints_the_summary_and_writes_the_report(runner, fulda_copy, table, tmp_path):
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["lat"] = "fünfzig"
    edited.save()
    report = tmp_path / "abgelehnt.csv"

    result = invoke(
        runner,
        "import",
        fulda_copy,
        "-m",
        "jedeschule-schulen",
        "--source",
        "fulda",
        "--report",
        report,
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "fulda (Lernorte from schulen.csv, 105 rows): 104 new, 0 changed, 0 unchanged, "
        f"0 withdrawn, 1 rejected, 0 without position; kept 0 hand-edited fields "
        f"({lines[0].rsplit('(', 1)[1]}"
    )
    assert "  file schulen.csv, row 2, field lat: coordinate 'fünfzig' is not a number" in lines
    assert f"Rejected rows written to {report}" in lines
    with report.open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle)) == [
            ["file", "row", "field", "reason"],
            ["schulen.csv", "2", "lat", "coordinate 'fünfzig' is not a number"],
        ]


def test_default_report_goes_to_the_current_folder(
    runner, fulda_copy, table, tmp_path, monkeypatch
):
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["name"] = ""
    edited.save()
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "import", fulda_copy, "-m", "jedeschule-schulen", "--no-index")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "schulen-rejected.csv").is_file()
    assert "Note: search index not updated (as asked); run `kbm-map reindex`" in result.output


def test_file_level_error_is_one_line_and_exit_status_1(runner, shared_data):
    result = runner.invoke(
        args=[
            "import",
            str(shared_data / "flensburg/schulen_flensburg.csv"),
            "-m",
            "jedeschule-schulen",
        ]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: file schulen_flensburg.csv: mapping jedeschule-schulen")
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_dry_run_says_so_and_records_no_source(runner, fulda_copy):
    result = invoke(runner, "import", fulda_copy, "-m", "jedeschule-schulen", "--dry-run")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "Dry run: nothing was changed."
    assert db.session.scalar(select(db.func.count()).select_from(Location)) == 0
    assert db.session.scalars(select(Source)).all() == []


def test_refresh_lists_what_vanished(runner, fulda_copy, table):
    invoke(runner, "import", fulda_copy, "-m", "jedeschule-schulen", "--source", "fulda")
    edited = table(fulda_copy)
    edited.rows = [r for r in edited.rows if r["id"] != "HE-4101-0"]
    edited.save()
    result = invoke(runner, "refresh")
    assert result.exit_code == 0, result.output
    assert "0 new, 0 changed, 104 unchanged, 1 withdrawn" in result.output
    assert "Withdrawn from the source (archived):\n  HE-4101-0 Grundschule Uttrichshausen" in (
        result.output
    )


def test_refresh_without_sources_and_with_an_unknown_one(runner):
    assert "No sources recorded yet" in invoke(runner, "refresh").output
    result = runner.invoke(args=["refresh", "nope"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: no source named nope (recorded: none yet; run kbm-map import first)\n",
    )


def test_regions_gazetteer_and_export_commands(runner, shared_data, fulda_copy, tmp_path):
    invoke(runner, "import", fulda_copy, "-m", "jedeschule-schulen", "--no-index")
    result = invoke(runner, "regions", "import", shared_data / FULDA_GEMEINDEN)
    caught_up, regions = result.output.splitlines()[:2]
    # The import without index left a rebuild due; the next write command does it first.
    assert caught_up == "Search index: caught up (105 entries) with what an earlier write left."
    assert regions.startswith(
        "Regions: 23 new, 0 changed, 0 unchanged, 0 rejected; 105 Lernorte got a new region"
    )
    small = tmp_path / "plz.csv"
    small.write_text(
        "zipcode,place,latitude,longitude,community_code,community,state_code\n"
        "36037,Fulda,50.5518,9.6833,06631,Landkreis Fulda,06\n",
        encoding="utf-8",
    )
    result = invoke(runner, "gazetteer", "import", small)
    assert result.output.startswith("Gazetteer: 1 places in 1 postcodes, 0 rejected")
    result = invoke(runner, "export", "--format", "geojson", tmp_path / "lernorte.geojson")
    assert result.output == (
        f"Exported 105 Lernorte and 0 Angebote to {tmp_path / 'lernorte.geojson'}\n"
    )
    result = runner.invoke(args=["export", "--format", "xml", str(tmp_path / "x")])
    assert result.exit_code == 2 and "'xml' is not one of" in result.output
