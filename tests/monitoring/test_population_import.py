"""`kbm-map population import`: the shared Destatis files, re-imports and bad input."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select

from kbm_map.extensions import db
from kbm_map.models import AuditEntry, PopulationFigure, Region

from .population_files import (
    BAD_SALZSCHLIRF,
    FULDA,
    FULDA_2018,
    FULDA_GEMEINDEN,
    GENESIS,
    GV,
    KREIS,
    KUENZELL,
    genesis_csv,
    kbm,
    region_populations,
    stored_figures,
)

pytestmark = pytest.mark.shared_data


@pytest.fixture
def regions(runner, shared_data):
    """Import the 23 Gemeinden of Landkreis Fulda."""
    result = kbm(runner, "regions", "import", shared_data / FULDA_GEMEINDEN, "--no-index")
    assert result.exit_code == 0, result.output


@pytest.fixture
def gemeinde_file(shared_data, tmp_path):
    """Return a GENESIS-layout file of two Fulda Gemeinden (8-digit codes) on 31.12.2018."""
    rows = {FULDA: ("Fulda, Stadt", FULDA_2018), KUENZELL: ("Künzell", [500] * 17)}
    return genesis_csv(shared_data, tmp_path / "gemeinden-2018.csv", rows)


def test_gv_extract_gives_every_fulda_gemeinde_its_population(runner, regions, shared_data):
    result = kbm(runner, "population", "import", shared_data / GV)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "Population on 2022-12-31 from 2022_12_31_Auszug_GV.xlsx (source 2022_12_31_Auszug_GV): "
        "23 regions; figures: 23 new, 0 changed, 0 unchanged, 0 removed"
    )
    assert lines[1] == (
        "10,970 rows matched no region (8-digit Gemeinde codes); the regions here are "
        "23 with 8-digit Gemeinde codes (06631001 … 06631023)"
    )
    populations = region_populations()
    assert len(populations) == 23 and None not in populations.values()
    assert (populations[FULDA], populations[BAD_SALZSCHLIRF]) == (69_968, 3_568)
    figure = db.session.scalars(
        select(PopulationFigure).where(PopulationFigure.code == FULDA)
    ).one()
    assert (figure.age_group, figure.reference_date, figure.estimated, figure.licence) == (
        "total",
        date(2022, 12, 31),
        False,
        "dl-de/by-2.0",
    )
    assert figure.attribution == "© Statistisches Bundesamt (Destatis), 2023"


def test_genesis_kreis_file_keeps_the_kreis_of_the_gemeinden(runner, regions, shared_data):
    result = kbm(
        runner, "population", "import", shared_data / GENESIS, "-m", "genesis-12411-altersgruppen"
    )
    assert result.exit_code == 0, result.output
    assert (
        "0 regions and Kreis 06631 (age shares for its Gemeinden); figures: 18 new" in result.output
    )
    assert (
        "403 rows matched no region (400 with 5-digit Kreis codes, 3 with 8-digit Gemeinde codes)"
        in result.output
    )
    assert "89 rows without any figure skipped" in result.output
    kreis = {row[3]: row[4] for row in stored_figures() if row[2] == KREIS}
    assert (len(kreis), kreis["total"], kreis["0-3"], kreis["6-10"], kreis["75-"]) == (
        18,
        222_584,
        6_379,
        7_866,
        25_481,
    )
    assert sum(v for group, v in kreis.items() if group != "total") == kreis["total"]
    assert set(region_populations().values()) == {None}  # a Kreis total is no Gemeinde's


def test_gemeinde_level_genesis_file_sets_the_gemeinden(runner, regions, gemeinde_file):
    result = kbm(runner, "population", "import", gemeinde_file, "-m", "genesis-12411-altersgruppen")
    assert result.exit_code == 0, result.output
    assert "2 regions; figures: 36 new" in result.output
    figures = {(row[2], row[3]): row for row in stored_figures()}
    assert figures[FULDA, "6-10"][4:] == (2_480, False)
    assert figures[FULDA, "total"][4] == sum(FULDA_2018)
    assert region_populations()[KUENZELL] == 17 * 500


def test_reimport_replaces_the_source_figures_for_that_date(
    runner, regions, shared_data, gemeinde_file
):
    kbm(runner, "population", "import", gemeinde_file, "-m", "genesis-12411-altersgruppen")
    again = kbm(runner, "population", "import", gemeinde_file, "-m", "genesis-12411-altersgruppen")
    assert "0 new, 0 changed, 36 unchanged, 0 removed" in again.output
    assert "now show" not in again.output  # no region's population changed
    fewer = [*FULDA_2018]
    fewer[2] += 10
    genesis_csv(shared_data, gemeinde_file, {FULDA: ("Fulda, Stadt", fewer)})
    changed = kbm(
        runner, "population", "import", gemeinde_file, "-m", "genesis-12411-altersgruppen"
    )
    assert "1 region; figures: 0 new, 2 changed, 16 unchanged, 18 removed" in changed.output
    assert KUENZELL not in {row[2] for row in stored_figures()}
    assert region_populations()[FULDA] == sum(FULDA_2018) + 10


def test_another_date_is_kept_beside_the_first(runner, regions, gemeinde_file):
    kbm(runner, "population", "import", gemeinde_file, "-m", "genesis-12411-altersgruppen")
    later = kbm(
        runner, "population", "import", gemeinde_file, "-m", "genesis-12411-altersgruppen",
        "--date", "2019-12-31",
    )  # fmt: skip
    assert "Population on 2019-12-31" in later.output and "36 new" in later.output
    assert {row[1] for row in stored_figures()} == {date(2018, 12, 31), date(2019, 12, 31)}


def test_regions_import_gives_new_gemeinden_the_stored_population(
    runner, regions, shared_data, gemeinde_file
):
    kbm(runner, "population", "import", gemeinde_file, "-m", "genesis-12411-altersgruppen")
    db.session.execute(delete(AuditEntry))
    db.session.execute(delete(Region).where(Region.code == FULDA))
    db.session.commit()
    kbm(runner, "regions", "import", shared_data / FULDA_GEMEINDEN, "--no-index")
    assert region_populations()[FULDA] == sum(FULDA_2018)


def test_no_row_matching_a_region_is_an_error(runner, shared_data):
    result = kbm(
        runner, "population", "import", shared_data / GENESIS, "-m", "genesis-12411-altersgruppen"
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: file Altersstruktur 2018 Kreisebene 12411-02-03-5-B.csv: no row matched a region "
        "here; nothing was changed. 404 rows matched no region (401 with 5-digit Kreis codes, "
        "3 with 8-digit Gemeinde codes); there are no regions here yet: import them first with "
        "`kbm-map regions import`\n"
    )


def _truncated_workbook(shared_data, tmp_path):
    path = tmp_path / "gv.xlsx"
    path.write_bytes((shared_data / GV).read_bytes()[:400_000])
    return [path]


def _utf16(shared_data, tmp_path):
    path = tmp_path / "kreise.csv"
    path.write_text((shared_data / GENESIS).read_bytes().decode("latin-1"), encoding="utf-16")
    return [path, "-m", "genesis-12411-altersgruppen"]


def _edited(old: str, new: str):
    def write(shared_data, tmp_path):
        path = tmp_path / "kreise.csv"
        text = (shared_data / GENESIS).read_bytes().decode("latin-1")
        assert old in text
        path.write_bytes(text.replace(old, new, 1).encode("latin-1"))
        return [path, "-m", "genesis-12411-altersgruppen"]

    return write


BAD_INPUT = {
    "truncated workbook": (_truncated_workbook, "file gv.xlsx: is not a readable .xlsx workbook"),
    "UTF-16 text": (_utf16, "file kreise.csv: cannot be read as latin-1 (the mapping's encoding)"),
    "a word as a number": (
        _edited("06631;Fulda, Landkreis;6379;", "06631;Fulda, Landkreis;abc;"),
        "file kreise.csv, row 152, column 'Insgesamt / Altersgruppen (unter 1 bis 75 u.m.) / "
        "unter 3 Jahre': 'abc' is not a whole number; nothing was changed",
    ),
    "a missing column": (
        _edited(";Insgesamt;männlich", ";Summe;männlich"),
        "file kreise.csv: mapping genesis-12411-altersgruppen.toml needs the column(s) "
        "'Insgesamt / Altersgruppen (unter 1 bis 75 u.m.) / Insgesamt' (for age group total)",
    ),
    "no date in the title": (
        _edited("Stichtag: 31.12.2018", "Stichtag: unbekannt"),
        "file kreise.csv: no reference date in the title lines above the header",
    ),
    "an unreadable --date": (
        lambda shared_data, tmp_path: [shared_data / GV, "--date", "31.12.2022"],
        "--date '31.12.2022': is not a date as YYYY-MM-DD",
    ),
    "an unknown mapping": (
        lambda shared_data, tmp_path: [shared_data / GV, "-m", "nicht-da"],
        "mapping nicht-da: no such file, and no shipped mapping of that name",
    ),
    "the wrong kind of file": (
        lambda shared_data, tmp_path: [shared_data / GENESIS],
        "should be an Excel workbook (.xlsx) but looks like plain text",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_one_line_and_changes_nothing(
    case, runner, regions, shared_data, gemeinde_file, tmp_path
):
    kbm(runner, "population", "import", gemeinde_file, "-m", "genesis-12411-altersgruppen")
    kbm(runner, "population", "import", shared_data / GENESIS, "-m", "genesis-12411-altersgruppen")
    before, populations = stored_figures(), region_populations()
    write, message = BAD_INPUT[case]
    result = kbm(runner, "population", "import", *write(shared_data, tmp_path))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert (stored_figures(), region_populations()) == (before, populations)
