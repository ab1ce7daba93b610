"""`kbm-map monitoring report` end to end on the real Fulda files, in every format."""

from __future__ import annotations

import csv
import datetime as dt

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import Location, Region
from tests.monitoring.population_files import FULDA, FULDA_GEMEINDEN, GV, kbm


def names() -> list[str]:
    """Return the names of the Gemeinden."""
    return list(db.session.scalars(select(Region.name)))


def schools_per_region() -> dict[str, int]:
    """Count the schools per Gemeinde from the database."""
    rows = db.session.scalars(
        select(Region.code).join(Location, Location.region_id == Region.id)
    ).all()
    return {code: rows.count(code) for code in set(rows)}


def test_csv_lists_every_gemeinde_with_population_and_schools_per_1000(
    fulda, runner, tmp_path, shared_data
):
    result = kbm(runner, "population", "import", shared_data / GV)  # the whole GV-ISys file
    assert result.exit_code == 0, result.output
    out = tmp_path / "schulen.csv"
    result = kbm(runner, "monitoring", "report", out, "area=schule")
    assert result.exit_code == 0, result.output
    assert "23 Gemeinden, 105 Lernorte" in result.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    per_1000 = {r["ags"]: r for r in rows if r["indicator"] == "lernorte_je_1000"}
    assert len(per_1000) == 23
    schools = schools_per_region()
    for code, row in per_1000.items():
        population = int(row["population"])
        expected = schools.get(code, 0) * 1000 / population
        assert float(row["value"].replace(",", ".")) == pytest.approx(expected, abs=1e-4)
    assert per_1000[FULDA]["population"] == "69968"
    assert per_1000[FULDA]["reference_date"] == dt.date.today().isoformat()


def test_pdf_names_every_gemeinde_and_fuldas_population(fulda, runner, tmp_path):
    out = tmp_path / "schulen.pdf"
    result = kbm(runner, "monitoring", "report", out, "area=schule", "--compare", "2025-01-01")
    assert result.exit_code == 0, result.output
    pdf = pdfium.PdfDocument(out)
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    for name in names():
        assert name in text, name
    assert "69.968" in text
    assert "01.01.2025" in text  # the comparison date
    assert "Schulen je 1.000" in text or "Lernorte je 1.000 Einwohner" in text
    assert "© GeoBasis-DE / BKG 2021" in text  # the outlines' credit line
    assert "Destatis" in text
    page = pdf[0].render(scale=1).to_pil()
    assert page.width > 500  # page 1 renders (looked at as a picture while developing)


def test_xlsx_has_a_sheet_per_indicator_and_html_is_self_contained(fulda, runner, tmp_path):
    result = kbm(runner, "monitoring", "report", tmp_path / "r.xlsx", "kind=grundschule")
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "r.xlsx")
    assert len(book.sheetnames) >= 5
    result = kbm(runner, "monitoring", "report", tmp_path / "r.html", "kind=grundschule")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org", "")


def test_a_report_without_population_says_so(runner, tmp_path, shared_data):
    result = kbm(runner, "regions", "import", shared_data / FULDA_GEMEINDEN)
    assert result.exit_code == 0, result.output
    result = kbm(runner, "monitoring", "report", tmp_path / "r.csv")
    assert result.exit_code == 0, result.output
    assert "23 Gemeinden have no population figure" in result.output


def test_a_report_without_gemeinden_asks_for_them(runner, tmp_path):
    result = kbm(runner, "monitoring", "report", tmp_path / "r.pdf")
    assert result.exit_code != 0
    assert "no Gemeinden yet" in result.output and "regions import" in result.output
    assert "Traceback" not in result.output and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["r.pdf", "bereich=schule"], "bereich"),
        (["r.pdf", "--date", "2026-02-30"], "date"),
        (["r.doc"], "--format"),
        (["r.pdf", "q=Schule"], "q"),
        (["missing/r.pdf"], "does not exist"),
    ],
)
def test_bad_requests_get_one_line(runner, tmp_path, args, message):
    args = [str(tmp_path / args[0]), *args[1:]]
    result = kbm(runner, "monitoring", "report", *args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob("*.pdf"))


def test_reach_run_on_the_bayreuth_network_goes_into_the_report(runner, tmp_path, shared_data):
    region = Region(
        code="09472116",
        name="Bindlach",
        population=7000,
        geom="SRID=4326;MULTIPOLYGON(((11.48 49.972, 11.605 49.972, 11.605 50.047, "
        "11.48 50.047, 11.48 49.972)))",
    )
    db.session.add(region)
    db.session.commit()
    result = kbm(runner, "import", _schools(tmp_path), "--mapping", "jedeschule-schulen")
    assert result.exit_code == 0, result.output
    network = shared_data / "osm" / "north-bayreuth.osm.gz"
    result = kbm(runner, "monitoring", "reach", "--network", network, "--mode", "bike")
    assert result.exit_code == 0, result.output
    out = tmp_path / "r.html"
    result = kbm(runner, "monitoring", "report", out)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Bindlach" in html and "OpenStreetMap" in html


def _schools(tmp_path):
    """Write two made-up Grundschulen in Bindlach in the JedeSchule layout."""
    lines = [
        "id,official_id,name,school_type,address,phone,fax,lon,lat",
        'BY-1,1,Grundschule Bindlach,Grundschule,"Schulstraße 1, 95463 Bindlach",,,11.56,50.0',
        'BY-2,2,Grundschule Nord,Grundschule,"Bergweg 2, 95463 Bindlach",,,11.52,50.03',
    ]
    path = tmp_path / "schulen.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
