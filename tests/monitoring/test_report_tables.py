"""The committee report as XLSX and CSV, formula-like names defused, the selection in words."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from kbm_map.extensions import db
from kbm_map.finding import parse_params
from kbm_map.models import Region
from kbm_map.monitoring.charts import Shape
from kbm_map.monitoring.report import Attribution, render_report
from kbm_map.monitoring.report.words import selection_in_words

from .fulda_report import BKG, DESTATIS, compared, fulda_coverage, fulda_shapes

SQUARE = {"type": "Polygon", "coordinates": [[[9.6, 50.5], [9.7, 50.5], [9.7, 50.6], [9.6, 50.5]]]}
HOSTILE = ['=HYPERLINK("http://example.invalid","x")', "@SUM(A1)", "+1", "-2"]


@pytest.fixture(scope="module")
def report_app(tmp_path_factory):
    """Return an app context for rendering; these reports read no database."""
    from kbm_map import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "KBM_ENV": "development",
            "TESTING": True,
            "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("index")),
        }
    )
    with app.app_context():
        yield app


@pytest.fixture(scope="module")
def shapes(shared_data):
    return fulda_shapes(shared_data)


def render(coverage, fmt, path, **options):
    """Render a report of Landkreis Fulda."""
    attribution = Attribution(outlines=BKG, listings=["JedeSchule, CC0"])
    return render_report(
        coverage, fmt, path, region_name="Landkreis Fulda", attribution=attribution, **options
    )


@pytest.fixture(scope="module")
def workbook(report_app, shapes, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "bericht.xlsx"
    render(compared(shapes), "xlsx", path, gaps=[{"code": "1", "name": "Nüsttal", "rule": "r"}])
    return load_workbook(path)


def rows_of(sheet) -> dict[str, list]:
    """Return the cells of a sheet's data rows by Gemeinde name (header on row 3)."""
    return {row[1].value: row for row in sheet.iter_rows(min_row=4)}


@pytest.mark.shared_data
def test_xlsx_has_a_sheet_per_indicator_and_one_for_sources(workbook, shapes):
    keys = [i.key for i in compared(shapes).indicators]
    assert workbook.sheetnames == [*keys, "Angebotslücken", "Quellen und Hinweise"]
    sheet = workbook["lernorte_je_1000"]
    assert sheet["A1"].value == "Lernorte je 1.000 Einwohner"
    assert [c.value for c in sheet[3]] == [
        "AGS",
        "Gemeinde",
        "Wert",
        "Einheit",
        "Stichtag",
        "Einwohner",
        "Bevölkerungsstand",
        "geschätzt",
        "Wert am 30.06.2025",
        "Veränderung",
    ]
    assert len(rows_of(sheet)) == 23 + 1  # the Gemeinden, then the whole area


@pytest.mark.shared_data
def test_xlsx_stores_numbers_with_german_style_formats(workbook):
    fulda = rows_of(workbook["lernorte_je_1000"])["Fulda"]
    code, _, value, unit, day, population, population_day, estimated, then, change = fulda
    assert code.value == "06631009" and unit.value == "je 1.000 Einw."
    assert value.value == pytest.approx(44 * 1000 / 69_968) and value.number_format == "#,##0.00"
    assert population.value == 69_968 and population.number_format == "#,##0"
    assert day.value == dt.datetime(2026, 6, 30) and day.number_format == "DD.MM.YYYY"
    assert population_day.value == dt.datetime(2022, 12, 31)
    assert estimated.value == "nein"
    assert then.value == pytest.approx(43 * 1000 / 69_968)
    assert change.value == pytest.approx(1000 / 69_968) and change.number_format.startswith("+")
    counts = rows_of(workbook["lernorte"])
    assert counts["Fulda"][2].value == 44 and counts["Fulda"][2].number_format == "#,##0"
    assert counts["ohne Gemeinde"][2].value == 2
    assert rows_of(workbook["lernorte_je_1000_alter"])["Fulda"][7].value == "ja"


@pytest.mark.shared_data
def test_xlsx_names_dates_sources_and_notes(workbook):
    facts = {row[0].value: row[1].value for row in workbook["Quellen und Hinweise"].iter_rows(4)}
    assert facts["Stichtag der Einträge"] == dt.datetime(2026, 6, 30)
    assert facts["Vergleich mit dem Stichtag"] == dt.datetime(2025, 6, 30)
    assert facts["Bevölkerungsstand"] == "31.12.2022"
    assert facts["Altersgruppe"] == "6 bis unter 10 Jahren"
    texts = [str(row[1].value) for row in workbook["Quellen und Hinweise"].iter_rows(4)]
    assert DESTATIS in texts and "JedeSchule, CC0" in texts
    assert BKG not in " ".join(texts)  # no map in a workbook: the outlines are not shown
    assert any("geschätzt" in t for t in texts)


@pytest.mark.shared_data
def test_csv_has_a_row_per_gemeinde_and_indicator(report_app, shapes, tmp_path):
    coverage = compared(shapes)
    path = render(coverage, "csv", tmp_path / "bericht.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # BOM for Excel
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert len(rows) == 23 * len(coverage.indicators) == 23 * 6
    assert {r["gemeinde"] for r in rows} == {s.name for s in shapes}
    fulda = {r["indicator"]: r for r in rows if r["gemeinde"] == "Fulda"}
    assert fulda["lernorte"]["value"] == "44" and fulda["lernorte"]["population"] == ""
    ratio = fulda["lernorte_je_1000"]
    assert ratio["value"] == "0,6289" and ratio["unit"] == "je 1.000 Einw."
    assert ratio["population"] == "69968" and ratio["population_date"] == "2022-12-31"
    assert ratio["reference_date"] == "2026-06-30" and ratio["compare_date"] == "2025-06-30"
    assert ratio["compare_value"] == "0,6146" and ratio["estimated"] == "nein"
    assert fulda["angebote_je_1000_alter"]["estimated"] == "ja"


def hostile_coverage():
    """Return a coverage of Gemeinden whose names a spreadsheet would run as formulas."""
    shapes = [Shape(f"0000000{n}", name, SQUARE) for n, name in enumerate(HOSTILE)]
    return fulda_coverage(shapes, ages=False)


def test_formula_like_names_stay_text_in_xlsx(report_app, tmp_path):
    path = render(hostile_coverage(), "xlsx", tmp_path / "bericht.xlsx")
    sheet = load_workbook(path)["lernorte"]
    cells = [row[1] for row in sheet.iter_rows(min_row=4, max_row=3 + len(HOSTILE))]
    assert sorted(c.value for c in cells) == sorted(HOSTILE)  # shown as they are …
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)  # … never run


def test_formula_like_names_are_defused_in_csv(report_app, tmp_path):
    path = render(hostile_coverage(), "csv", tmp_path / "bericht.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        names = {r["gemeinde"] for r in csv.DictReader(handle, delimiter=";")}
    assert names == {"'" + name for name in HOSTILE}


def test_selection_in_words_names_filters_with_their_labels(app_ctx):
    db.session.add(Region(code="06631009", name="Fulda", kind="Stadt"))
    db.session.flush()
    args = MultiDict(
        [("kind", "grundschule"), ("kind", "kita"), ("region", "06631009"), ("free", "1")]
    )
    lines = selection_in_words(parse_params(args), "de")
    assert lines == ["Art des Lernorts: Grundschule, Kita", "Gemeinde: Fulda", "kostenfrei"]
    assert selection_in_words(parse_params(MultiDict([("q", "Deutsch")]))) == [
        "Suchbegriff: „Deutsch“"
    ]
    assert selection_in_words(parse_params(MultiDict())) == [
        "alle Lernorte und Angebote (keine Filter)"
    ]
