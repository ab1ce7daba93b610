"""Mapping abilities for statistics tables, and the age groups of the kinds of Lernort."""

from __future__ import annotations

from datetime import date

import pytest

from kbm_map.importers import ImportFileError, RawRecord, apply_mapping, open_records, parse_mapping
from kbm_map.importers.header import combine_header
from kbm_map.importers.schedule import date_in_lines
from kbm_map.monitoring.population import tiling
from kbm_map.services.datafiles import read_mapping
from kbm_map.services.taxonomy import kind_age_range, kind_age_ranges

from .population_files import GV

POPULATION = '[import]\ntarget = "population"\n'


def test_the_gv_extract_header_spans_three_rows_under_its_title(shared_data):
    mapping = read_mapping("destatis-gv-gemeinden", "population")
    source = open_records(shared_data / GV, mapping)
    assert source.columns[:3] == [
        "Satz-art",
        "Text-kenn-zeichen",
        "Amtlicher Regionalschlüssel (ARS) / Land / Gebietsstand am 31.12.2022 (Jahr)",
    ]
    assert "Bevölkerung / insgesamt / am 31.12.2022 (Jahr)" in source.columns  # "Bevölkerung2)"
    assert source.title == [
        "Gemeinden in Deutschland nach Fläche, Bevölkerung und Postleitzahl am 31.12.2022 (Jahr)"
    ]
    assert date_in_lines(source.title) == date(2022, 12, 31)


def test_merged_group_labels_reach_the_columns_below_them():
    rows = [
        ["Satz-art", "ARS", None, "Name", "Fläche km2 1)", "Alter (65)"],
        [None, "Land", "Kreis", None, None, None],
    ]
    assert combine_header(rows) == [
        "Satz-art",
        "ARS / Land",
        "ARS / Kreis",
        "Name",
        "Fläche km2",
        "Alter (65)",
    ]


def test_filter_template_code_and_missing_markers():
    mapping = parse_mapping(
        POPULATION + 'missing = ["-", "."]\n[filter]\nSatzart = ["60", "61"]\n'
        '[columns]\ncode = "{Land}{Kreis}"\n[age_groups]\n"0-6" = "unter 6"\n"6-" = "6 und mehr"\n'
        '"total" = "Insgesamt"\n'
    )
    rows = [
        RawRecord(2, {"Satzart": "40", "Land": "06", "Kreis": "631", "unter 6": "1",
                      "6 und mehr": "2", "Insgesamt": "3"}),
        RawRecord(3, {"Satzart": "60", "Land": "06", "Kreis": "631", "unter 6": "12.557",
                      "6 und mehr": "-", "Insgesamt": "222584"}),
        RawRecord(4, {"Satzart": "61", "Land": "__", "Kreis": "", "unter 6": ".",
                      "6 und mehr": "-", "Insgesamt": ""}),
    ]  # fmt: skip
    kept, footnote = [result.record for result in apply_mapping(rows, mapping)]
    assert (kept.code, kept.population, kept.groups) == ("06631", 222_584, {"0-6": 12_557})
    assert not footnote.has_figures


def test_a_column_named_by_its_upper_labels_must_be_the_only_one():
    mapping = parse_mapping(POPULATION + '[columns]\ncode = "AGS"\npopulation = "Bevölkerung"\n')
    columns = ["AGS", "Bevölkerung / insgesamt", "Bevölkerung / männlich"]
    rows = [RawRecord(2, dict.fromkeys(columns, "1"))]
    with pytest.raises(ImportFileError, match="needs the column"):
        list(apply_mapping(rows, mapping))
    mapping = parse_mapping(
        POPULATION + '[columns]\ncode = "AGS"\npopulation = "Bevölkerung / ins"\n'
    )
    with pytest.raises(ImportFileError, match="needs the column"):
        list(apply_mapping(rows, mapping))  # labels are matched whole, not letter by letter


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[columns]\ncode = "A"\n[age_groups]\n"10-6" = "B"\n', "ends before it begins"),
        ('[columns]\ncode = "A"\n[age_groups]\n"Kinder" = "B"\n', "is not 'FROM-TO' in years"),
        ('[columns]\ncode = "A"\npopulation = "B"\n[age_groups]\ntotal = "C"\n', "given twice"),
        ('header = "3-5"\n[columns]\ncode = "A"\npopulation = "B"\n', "header must be a row"),
        ('header = [5, 3]\n[columns]\ncode = "A"\npopulation = "B"\n', "header must be a row"),
        ('date = "gestern"\n[columns]\ncode = "A"\npopulation = "B"\n', "date must be"),
        ('[columns]\ncode = "A"\n', "population is missing"),
    ],
)
def test_mistakes_in_population_mappings_are_named(text, message):
    with pytest.raises(ImportFileError, match=message):
        parse_mapping(POPULATION + text)


def test_age_groups_are_for_population_only():
    with pytest.raises(ImportFileError, match=r"\[age_groups\] is for target"):
        parse_mapping('[import]\ntarget = "region"\n[columns]\ncode = "A"\nname = "B"\n'
                      '[age_groups]\n"0-3" = "C"\n')  # fmt: skip


def test_a_header_below_the_end_of_the_file(tmp_path):
    path = tmp_path / "kurz.csv"
    path.write_text("Titel\nAGS;Einwohner\n06631;1\n", encoding="utf-8")
    mapping = parse_mapping(
        POPULATION + 'header = [7, 9]\n[columns]\ncode = "AGS"\npopulation = "E"\n'
    )
    with pytest.raises(ImportFileError, match="header on rows 7–9, but the file has only 3 rows"):
        open_records(path, mapping)


def test_kinds_of_lernort_have_age_ranges_from_the_taxonomy():
    assert kind_age_range("kita") == (0, 6)
    assert kind_age_range("grundschule") == (6, 10)
    assert kind_age_range("volkshochschule") == (18, None)
    assert kind_age_range("bibliothek") is None  # everybody
    with pytest.raises(KeyError):
        kind_age_range("schwimmbad")


def test_every_kind_range_is_made_up_of_the_genesis_age_groups():
    groups = read_mapping("genesis-12411-altersgruppen", "population").age_groups
    ranges = {kind: ages for kind, ages in kind_age_ranges().items() if ages}
    assert len(ranges) >= 10
    assert {
        kind: tiling(groups, *ages) is not None for kind, ages in ranges.items()
    } == dict.fromkeys(ranges, True)
