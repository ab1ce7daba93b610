"""The committee report of the 23 Fulda Gemeinden as PDF and HTML: text, title page, picture."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from kbm_map.monitoring.report import Attribution, ReportError, render_report

from .fulda_report import BKG, DESTATIS, compared, fulda_coverage, fulda_shapes

pytestmark = pytest.mark.shared_data
OSM = "© OpenStreetMap contributors, ODbL"
GAPS = [
    {
        "code": "06631019",
        "name": "Nüsttal",
        "rule": "Jede Gemeinde über 1.000 Einwohner hat ein Angebot für Neuzugewanderte",
        "value": 0,
        "target": 1,
        "unit": "Angebote",
    },
    {
        "code": "06631001",
        "name": "Bad Salzschlirf",
        "rule": "90 % erreichen eine Kita in 15 Minuten zu Fuß",
        "value": 0.72,
        "target": 0.9,
        "unit": "%",
    },
]


@pytest.fixture(scope="module")
def report_app(tmp_path_factory):
    """Return an app context for rendering; the report itself reads no database here."""
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


def reach_tables(shapes):
    """Return one reachability table as the reachability module hands it over (dicts)."""
    rows = [
        {"code": s.code, "name": s.name, "within": {"5": 0.31, "10": 0.62, "15": 0.91, "30": 1.0}}
        for s in shapes
    ]
    return [{"kind": "Grundschule", "mode": "bike", "rows": rows, "approximate": True}]


def render(coverage, fmt, path, shapes=None, **options):
    """Render a report of Landkreis Fulda with the attributions of the shared files."""
    return render_report(
        coverage,
        fmt,
        path,
        region_name="Landkreis Fulda",
        shapes=shapes,
        attribution=Attribution(outlines=BKG),
        **options,
    )


@pytest.fixture(scope="module")
def pdf(report_app, shapes, tmp_path_factory):
    """Render the compared coverage with gaps and reachability as PDF once for this module."""
    path = tmp_path_factory.mktemp("pdf") / "bericht.pdf"
    render(compared(shapes), "pdf", path, shapes, gaps=GAPS, reach=reach_tables(shapes))
    document = pdfium.PdfDocument(path)
    yield document
    document.close()


def page_text(document, number: int) -> str:
    """Return a page's text with whitespace collapsed."""
    textpage = document[number].get_textpage()
    return " ".join(textpage.get_text_range().split())


@pytest.fixture(scope="module")
def pdf_text(pdf):
    return " ".join(page_text(pdf, n) for n in range(len(pdf)))


def test_pdf_lists_every_gemeinde_and_fuldas_population(pdf_text, shapes):
    assert len(shapes) == 23
    missing = [s.name for s in shapes if s.name not in pdf_text]
    assert missing == []
    assert "69.968" in pdf_text


def test_pdf_has_a_section_per_indicator_with_german_numbers(pdf_text, shapes):
    coverage = compared(shapes)
    for indicator in coverage.indicators:
        assert coverage.label(indicator) in pdf_text
    # Fulda: 44 Lernorte among 69,968 inhabitants = 0.63 per 1,000; last year 43 = 0.61
    assert "Fulda 06631009 0,63 69.968 0,61 +0,01" in pdf_text


def test_pdf_marks_estimates_and_names_sources_and_licences(pdf_text):
    assert "geschätzt" in pdf_text
    assert "Einwohner von 6 bis unter 10 Jahren" in pdf_text
    for source in (DESTATIS, BKG, OSM):
        assert source in pdf_text
    assert "Änderungsprotokoll" in pdf_text  # past dates are reconstructed: the notes say how


def test_pdf_shows_gaps_and_reachability(pdf_text):
    assert "Angebotslücken" in pdf_text and "18 Prozentpunkte" in pdf_text
    assert "Grundschule mit dem Fahrrad" in pdf_text and "91 %" in pdf_text
    assert "Näherung" in pdf_text


def test_title_page_names_region_dates_and_selection(pdf):
    first = page_text(pdf, 0)
    assert "Landkreis Fulda" in first and "Bildungsmonitoring" in first
    assert "Stichtag der Einträge 30.06.2026" in first
    assert "Vergleich mit dem Stichtag 30.06.2025" in first
    assert "Bevölkerungsstand 31.12.2022" in first
    assert "alle Lernorte und Angebote (keine Filter)" in first


def test_page_one_renders_as_a_picture(pdf, tmp_path):
    image = pdf[0].render(scale=1).to_pil()
    image.save(tmp_path / "page-1.png")
    width, height = image.size
    assert [round(side / 72 * 25.4) for side in pdf[0].get_size()] == [210, 297]  # A4 in mm
    assert abs(width - 595) <= 1 and abs(height - 842) <= 1  # at 72 dpi
    grey = image.convert("L")
    dark = sum(grey.histogram()[:128])
    assert dark > 0.005 * width * height  # text, not an empty page


def test_html_is_self_contained_and_accessible(report_app, shapes, tmp_path):
    path = render(compared(shapes), "html", tmp_path / "bericht.html", shapes)
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="de">' in html
    assert re.findall(r'(?:src|href)="(?!#)', html) == []  # no file, host or stylesheet outside
    assert "<style>" in html and html.count("<svg") == 2 * 6
    assert html.count("<table") == html.count("<caption>")
    assert re.findall(r"<th(?=[\s>])(?![^>]*scope=)", html) == []
    assert '<th scope="row">Fulda</th>' in html and "69.968" in html
    assert not list(tmp_path.glob(".*.part"))


def test_without_outlines_the_report_has_charts_but_no_map(report_app, shapes, tmp_path):
    path = render(fulda_coverage(shapes, ages=False), "html", tmp_path / "ohne-karte.html")
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") == 4  # four indicators without age group: bar charts only
    assert BKG not in html and OSM not in html
    assert "Einwohner von" not in html


def test_an_unknown_format_is_refused_before_writing(report_app, shapes, tmp_path):
    with pytest.raises(ReportError, match="unknown report format 'docx'; choose one of pdf"):
        render(fulda_coverage(shapes), "docx", tmp_path / "bericht.docx")
    assert list(tmp_path.iterdir()) == []


def test_unknown_sections_indicators_and_folders_are_refused(report_app, shapes, tmp_path):
    coverage = fulda_coverage(shapes, ages=False)
    with pytest.raises(ReportError, match="unknown report section.*charts"):
        render(coverage, "csv", tmp_path / "a.csv", sections=["charts"])
    with pytest.raises(ReportError, match="unknown indicator.*lernorte_je_1000_alter"):
        render(coverage, "csv", tmp_path / "a.csv", indicators=["lernorte_je_1000_alter"])
    with pytest.raises(ReportError, match="folder .*nirgends does not exist"):
        render(coverage, "csv", tmp_path / "nirgends" / "a.csv")
    with pytest.raises(ReportError, match="gap 1: unknown field"):
        render(coverage, "csv", tmp_path / "a.csv", gaps=[{"gemeinde": "Fulda"}])


def test_gap_section_only_when_rules_were_checked(report_app, shapes, tmp_path):
    coverage = fulda_coverage(shapes, ages=False)
    unchecked = render(coverage, "html", tmp_path / "a.html").read_text(encoding="utf-8")
    assert "Angebotslücken" not in unchecked
    none_failing = render(coverage, "html", tmp_path / "b.html", gaps=[])
    assert "Keine Gemeinde verfehlt eine der Regeln." in none_failing.read_text(encoding="utf-8")
