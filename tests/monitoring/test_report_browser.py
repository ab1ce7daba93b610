"""The HTML report in Chromium: nothing loaded from elsewhere, no accessibility violations."""

from __future__ import annotations

import pytest

from kbm_map.monitoring.report import Attribution, render_report

from .fulda_report import BKG, compared, fulda_shapes

pytestmark = [pytest.mark.browser, pytest.mark.shared_data]


@pytest.fixture(scope="module")
def report_file(shared_data, tmp_path_factory):
    """Render the compared Fulda coverage with maps as one HTML file."""
    from kbm_map import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    shapes = fulda_shapes(shared_data)
    path = tmp_path_factory.mktemp("html") / "bericht.html"
    with app.app_context():
        render_report(
            compared(shapes),
            "html",
            path,
            region_name="Landkreis Fulda",
            shapes=shapes,
            attribution=Attribution(outlines=BKG),
        )
    return path


def test_html_report_loads_nothing_else_and_passes_axe(report_file, page):
    page.page.goto(report_file.as_uri())
    assert page.requests == [report_file.as_uri()]
    assert page.console_errors == []
    assert page.axe_violations() == []
