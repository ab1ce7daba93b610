"""CSV files as offices send them: encodings, delimiters, Excel quirks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kbm_map.importers import ImportFileError, open_records

HEADER = "ID;Name;Adresse;Breite;Länge"
ROW = "1;Grundschule Müßig;Schulstraße 1, 36148 Kalbach;50,411207;9,728713"


def test_utf8_with_bom_is_read_without_bom_in_first_column(write):
    source = open_records(write("bom.csv", b"\xef\xbb\xbf" + f"{HEADER}\n{ROW}\n".encode()))
    assert source.encoding == "utf-8-sig"
    assert source.columns[0] == "ID"
    assert next(iter(source)).data["Name"] == "Grundschule Müßig"


def test_cp1252_umlauts_are_detected_and_decoded(write):
    source = open_records(write("win.csv", f"{HEADER}\n{ROW}\n".encode("cp1252")))
    assert source.encoding == "cp1252"
    assert "Länge" in source.columns
    assert next(iter(source)).data["Name"] == "Grundschule Müßig"


def test_utf8_file_is_not_mistaken_for_cp1252(write):
    source = open_records(write("utf8.csv", f"{HEADER}\n{ROW}\n"))
    assert source.encoding == "utf-8"
    assert next(iter(source)).data["Adresse"].startswith("Schulstraße")


def test_forced_wrong_encoding_is_a_file_error(write, simple_mapping):
    mapping = replace(simple_mapping, encoding="utf-8")
    path = write("win.csv", f"{HEADER}\n{ROW}\n".encode("cp1252"))
    with pytest.raises(ImportFileError, match="cannot be read as utf-8"):
        open_records(path, mapping)


def test_excel_sep_line_sets_delimiter_and_is_not_counted_as_a_row(write):
    source = open_records(write("sep.csv", "sep=;\nID;Name,Zusatz\n1;A,B\n"))
    assert source.delimiter == ";"
    assert source.columns == ["ID", "Name,Zusatz"]
    assert [(r.row, r.data) for r in source] == [(2, {"ID": "1", "Name,Zusatz": "A,B"})]


def test_tab_delimiter_is_detected(write):
    source = open_records(write("tab.txt", "ID\tName\tOrt\n7\tVHS Fulda\tFulda\n"))
    assert source.delimiter == "\t"
    assert next(iter(source)).data == {"ID": "7", "Name": "VHS Fulda", "Ort": "Fulda"}


def test_trailing_empty_columns_and_blank_cells_are_dropped_and_stripped(write):
    source = open_records(write("trail.csv", "ID;Name;;;\n 1 ;  Kita Sonnenschein ;;;\n"))
    assert source.columns == ["ID", "Name"]
    assert next(iter(source)).data == {"ID": "1", "Name": "Kita Sonnenschein"}


def test_empty_rows_are_skipped_but_row_numbers_match_the_spreadsheet(write):
    source = open_records(write("gaps.csv", "ID,Name\n1,A\n\n,\n4,D\n"))
    assert [(r.row, r.data["ID"]) for r in source] == [(2, "1"), (5, "4")]


def test_quoted_multiline_cell_counts_as_one_row(write):
    source = open_records(write("multi.csv", 'ID,Name\n1,"Zeile 1\nZeile 2"\n2,B\n'))
    assert [(r.row, r.data["Name"]) for r in source] == [(2, "Zeile 1\nZeile 2"), (3, "B")]


def test_empty_file_is_a_file_error(write):
    with pytest.raises(ImportFileError, match="is empty"):
        open_records(write("empty.csv", ""))


def test_header_without_rows_is_a_file_error(write):
    with pytest.raises(ImportFileError, match="header row but no data rows"):
        open_records(write("header.csv", "ID;Name\n\n"))


def test_decimal_comma_coordinates_in_semicolon_file(write, simple_mapping, run):
    mapped, rejected = run(write("komma.csv", f"{HEADER}\n{ROW}\n"), simple_mapping)
    assert rejected == []
    assert (mapped[0].record.lon, mapped[0].record.lat) == (9.728713, 50.411207)


def test_excel_workbook_named_csv_is_a_file_error(write):
    with pytest.raises(ImportFileError, match="should be a CSV text file but looks like a zip"):
        open_records(write("liste.csv", b"PK\x03\x04" + b"\x00" * 40))


def test_old_xls_is_refused_with_advice(write):
    with pytest.raises(ImportFileError, match=r"old Excel workbook \(.xls\); save it as .xlsx"):
        open_records(write("liste.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 40))


def test_excel_unicode_text_export_is_utf16_with_tabs(write):
    source = open_records(write("unicode.txt", "ID\tName\n1\tKita Süd\n".encode("utf-16")))
    assert (source.encoding, source.delimiter) == ("utf-16", "\t")
    assert next(iter(source)).data["Name"] == "Kita Süd"
