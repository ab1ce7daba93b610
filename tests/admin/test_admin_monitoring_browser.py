"""The monitoring pages in Chromium: keyboard, no third-party requests, axe (staff and public)."""

from __future__ import annotations

import pytest

from .conftest import axe_violations, sign_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture()
def demo(runner):
    """Load the demo region with population figures and reachability runs."""
    result = runner.invoke(args=["demo", "--locations", "120", "--offers", "300", "--reach"])
    assert result.exit_code == 0, result.output


def test_staff_page_filters_by_keyboard_and_passes_axe(live_server, page, editor_user, demo):
    sign_in_browser(page, live_server, editor_user.email)
    page.page.goto(f"{live_server}/admin/monitoring")
    page.page.get_by_label("Art des Lernorts").select_option("grundschule")
    page.page.get_by_role("button", name="Anzeigen").press("Enter")  # the keyboard, no mouse
    page.page.wait_for_url("**/admin/monitoring?*kind=grundschule*")
    # The age group of Grundschulen is offered now; the indicator chosen before stays.
    page.page.get_by_label("Kennzahl").select_option("lernorte_je_1000_alter")
    page.page.get_by_role("button", name="Anzeigen").press("Enter")
    page.page.wait_for_url("**indicator=lernorte_je_1000_alter*")
    heading = page.page.get_by_role("heading", name="Lernorte je 1.000 Einwohner von 6 bis")
    assert heading.count() == 1
    assert page.page.get_by_role("img", name="Karte: Lernorte je 1.000 Einwohner").count() == 1
    assert page.foreign_requests() == []
    assert page.console_errors == []
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_public_figures_page_passes_axe(live_server, page, app_ctx, demo, lang):
    app_ctx.config["PUBLIC_FIGURES"] = True
    try:
        page.page.goto(f"{live_server}/{lang}/zahlen?kind=kita&compare=2025-01-01")
        assert page.page.locator("svg[role=img]").count() >= 3
        assert page.foreign_requests() == []
        assert page.console_errors == []
        assert axe_violations(page) == []
    finally:
        app_ctx.config["PUBLIC_FIGURES"] = False
