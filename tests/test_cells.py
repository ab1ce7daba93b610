"""Formula-like text is defused in every CSV the project writes; numbers stay numbers."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from kbm_map.cells import csv_cell, defused, undefused
from kbm_map.exports.formats import write_csv
from kbm_map.importers.csvfile import read_csv
from kbm_map.importers.records import Rejection
from kbm_map.services.imports import write_report

DANGEROUS = ['=HYPERLINK("http://x")', "+49 661", "-1+1", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_gets_an_apostrophe(text):
    assert defused(text) == "'" + text
    assert csv_cell(text, text) == "'" + text


@pytest.mark.parametrize("text", ["Fulda", "", "'=already", "a=b", "1-2"])
def test_harmless_text_is_kept(text):
    assert defused(text) == text


@pytest.mark.parametrize("number", [-5, -0.5, Decimal("-1.25"), 0, 7])
def test_negative_numbers_stay_numbers(number):
    assert csv_cell(number, str(number)) == str(number)


def test_export_csv_defuses_text_but_not_numbers(tmp_path):
    path = tmp_path / "x.csv"
    rows = [{"name": "=cmd|' /C calc'!A0", "lon": -3.5, "tags": ["@a", "b"], "ok": True}]
    write_csv(path, ("name", "lon", "tags", "ok"), rows)
    with path.open(encoding="utf-8", newline="") as handle:
        data = list(csv.reader(handle))
    assert data[1] == ["'=cmd|' /C calc'!A0", "-3.5", "'@a; b", "true"]


def test_rejected_rows_report_defuses_its_cells(tmp_path):
    rejected = [Rejection(file="=x.csv", row=3, field="-name", reason="@bad value =1+1")]
    path = write_report(rejected, tmp_path / "rejected.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        data = list(csv.reader(handle))
    assert data[1] == ["'=x.csv", "3", "'-name", "'@bad value =1+1"]


@pytest.mark.parametrize("text", [*DANGEROUS, "Fulda", "'quoted", "''=x"])
def test_undefused_reverses_defused(text):
    assert undefused(defused(text)) == text


def test_the_import_reads_defused_cells_back_as_written(tmp_path):
    path = tmp_path / "x.csv"
    write_csv(path, ("name", "phone"), [{"name": "=Schule", "phone": "+49 661 1"}])
    source = read_csv(path)
    (record,) = list(source.read())
    assert record.data == {"name": "=Schule", "phone": "+49 661 1"}
