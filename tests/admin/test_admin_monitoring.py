"""The staff page "Monitoring" and its report downloads, on the demo region."""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook


@pytest.fixture()
def demo(runner):
    """Load the demo region with population figures and reachability runs."""
    result = runner.invoke(args=["demo", "--locations", "120", "--offers", "300", "--reach"])
    assert result.exit_code == 0, result.output


def test_the_page_shows_map_chart_table_gaps_and_reachability(editor_client, demo):
    html = editor_client.get("/admin/monitoring?kind=kita").get_data(as_text=True)
    assert "Lernorte je 1.000 Einwohner von unter 6 Jahren" in html
    assert html.count("<svg") >= 3  # choropleth, bar chart, reachability layer
    assert 'role="img"' in html and "<title" in html
    assert re.search(r"<th scope=\"row\">Lindenau</th>", html)  # the table beside the map
    assert "Angebotslücken" in html and "Erreichbarkeit" in html
    assert "zu Fuß" in html  # the Kita reachability run of the demo
    assert 'aria-current="page">Monitoring' in html


def test_a_comparison_and_another_indicator(editor_client, demo):
    html = editor_client.get(
        "/admin/monitoring?area=weiterbildung&indicator=angebote_je_1000&compare=2025-06-30"
    ).get_data(as_text=True)
    assert "Angebote je 1.000 Einwohner" in html
    assert "30.06.2025" in html and "Veränderung" in html


def test_bad_parameters_are_explained_not_crashed(editor_client, demo):
    response = editor_client.get("/admin/monitoring?date=gestern")
    assert response.status_code == 400
    assert "date" in response.get_data(as_text=True)
    assert editor_client.get("/admin/monitoring?farbe=rot").status_code == 400
    assert editor_client.get("/admin/monitoring/bericht.doc").status_code == 404


def test_reports_download_with_the_pages_selection(editor_client, demo):
    url = "/admin/monitoring/bericht.pdf?kind=grundschule&indicator=x&compare=2025-06-30"
    response = editor_client.get(url)  # the population of the comparison is another year
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdfium.PdfDocument(response.data)[0].get_textpage().get_text_range()
    assert "Bildungsmonitoring" in text and "Grundschule" in text
    assert "zum Vergleich: 31.12." in text  # the earlier population date is named
    response = editor_client.get("/admin/monitoring/bericht.xlsx?kind=grundschule")
    assert response.status_code == 200
    assert len(load_workbook(io.BytesIO(response.data)).sheetnames) >= 6


def test_without_gemeinden_the_page_says_what_is_missing(editor_client):
    response = editor_client.get("/admin/monitoring")
    assert response.status_code == 200
    assert "Noch keine Gemeinden" in response.get_data(as_text=True)


def test_signing_in_is_required(client):
    assert client.get("/admin/monitoring").status_code == 302
    assert client.get("/admin/monitoring/bericht.csv").status_code == 302


def test_the_public_page_is_off_by_default_and_on_when_published(client, app_ctx, demo):
    assert client.get("/de/zahlen").status_code == 404
    app_ctx.config["PUBLIC_FIGURES"] = True
    try:
        html = client.get("/en/zahlen?kind=kita").get_data(as_text=True)
        assert "<svg" in html and "Lindenau" in html
        assert "Angebotslücken" not in html  # the gap rules stay with the office
        assert client.get("/de/zahlen?date=kaputt").status_code == 400
        assert 'href="/de/zahlen"' in client.get("/de/").get_data(as_text=True)
    finally:
        app_ctx.config["PUBLIC_FIGURES"] = False


def test_the_dashboard_names_the_gemeinden_missing_a_rule(editor_client, demo):
    html = editor_client.get("/admin/").get_data(as_text=True)
    assert "Angebotslücken" in html
    assert "In jeder Gemeinde erreichen 90 % der Einwohner eine Kita" in html
    assert "verfehl" in html  # the demo has Gemeinden far from a Kita
    assert 'href="/admin/monitoring"' in html


def test_staff_answers_stay_out_of_shared_caches(editor_client, app_ctx):
    app_ctx.config["PUBLIC_FIGURES"] = True
    try:
        public = editor_client.get("/api/v1/monitoring/gaps").headers["Cache-Control"]
    finally:
        app_ctx.config["PUBLIC_FIGURES"] = False
    assert public == "public, max-age=60"  # published figures: the same for everyone
    response = editor_client.get("/api/v1/monitoring/coverage")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_broken_rule_file_is_named_not_a_traceback(editor_client, app_ctx, tmp_path, demo):
    path = tmp_path / "gaps.toml"
    path.write_text("[[rule]]\nid = 'a'\n", encoding="utf-8")
    app_ctx.config["GAP_RULES"] = str(path)
    try:
        response = editor_client.get("/api/v1/monitoring/gaps")
        assert response.status_code == 500
        assert "gaps.toml, rule 1: missing" in response.json["error"]["detail"]
        page = editor_client.get("/admin/monitoring")
        assert page.status_code == 200  # the figures still show
        assert "Die Regeln für Angebotslücken können nicht gelesen werden" in page.text
        assert "gaps.toml, rule 1: missing" in page.text
        report = editor_client.get("/admin/monitoring/bericht.pdf")
        assert report.status_code == 409 and "gaps.toml" in report.text
    finally:
        app_ctx.config["GAP_RULES"] = ""
