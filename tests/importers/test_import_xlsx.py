"""Excel workbooks with title rows above the header."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from kbm_map.importers import ImportFileError, open_records, parse_mapping


@pytest.fixture
def titled_workbook(tmp_path):
    """Write a workbook with three title rows, a header in row 4 and data from row 5."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Landkreis Fulda – Bildungsbüro"])
    sheet.append(["Liste der Kindertagesstätten, Stand 01.03.2024"])
    sheet.append([None])
    sheet.append(["Nr", "Einrichtung", "PLZ", "Ort", None])
    sheet.append([17, "Kita Regenbogen", 36037, "Fulda"])
    sheet.append([None, None])
    sheet.append([18, "Kita Am Schlossgarten", 1067, "Dresden"])
    path = tmp_path / "kitas.xlsx"
    book.save(path)
    return path


def test_header_is_found_below_three_title_rows(titled_workbook):
    source = open_records(titled_workbook)
    assert source.header_row == 4
    assert source.columns == ["Nr", "Einrichtung", "PLZ", "Ort"]


def test_rows_carry_their_sheet_row_numbers_and_skip_empty_rows(titled_workbook):
    rows = list(open_records(titled_workbook))
    assert [(r.row, r.data["Einrichtung"]) for r in rows] == [
        (5, "Kita Regenbogen"),
        (7, "Kita Am Schlossgarten"),
    ]
    assert rows[0].data["PLZ"] == 36037


def test_header_is_found_by_the_mappings_required_columns(titled_workbook, tmp_path):
    mapping = parse_mapping(
        '[import]\ntarget = "location"\nid = "Nr"\n[columns]\nname = "Einrichtung"\n'
        'postcode = "PLZ"\n'
    )
    assert open_records(titled_workbook, mapping).header_row == 4


def test_postcode_number_cell_gets_its_leading_zero_back(titled_workbook, run):
    mapping = parse_mapping(
        '[import]\ntarget = "location"\nid = "Nr"\n[columns]\nname = "Einrichtung"\n'
        'postcode = "PLZ"\ncity = "Ort"\n[defaults]\nkind = "Kita"\n'
    )
    mapped, rejected = run(titled_workbook, mapping)
    assert rejected == []
    dresden = mapped[1]
    assert (dresden.record.external_id, dresden.record.postcode) == ("18", "01067")
    assert dresden.record.areas == ["fruehkindliche_bildung"]
    assert "leading zero restored" in dresden.describe_warnings()[0]


def test_empty_sheet_is_a_file_error(tmp_path):
    path = tmp_path / "leer.xlsx"
    Workbook().save(path)
    with pytest.raises(ImportFileError, match="the sheet is empty"):
        open_records(path)


def test_missing_sheet_lists_the_sheets(titled_workbook):
    mapping = parse_mapping(
        '[import]\ntarget = "location"\nid = "Nr"\nsheet = "Schulen"\n'
        '[columns]\nname = "Einrichtung"\n'
    )
    with pytest.raises(ImportFileError, match=r"has no sheet 'Schulen' \(sheets: Sheet\)"):
        open_records(titled_workbook, mapping)
