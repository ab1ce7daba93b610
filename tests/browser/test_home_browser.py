"""The home page in a real Chromium: accessible, keyboard-usable, no third-party requests."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture()
def demo(runner):
    """Load a small demo region."""
    result = runner.invoke(args=["demo", "--locations", "40", "--offers", "80"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_home_has_no_accessibility_violations(live_server, page, demo, lang):
    page.page.goto(f"{live_server}/{lang}/")
    assert page.axe_violations() == []
    assert page.foreign_requests() == []
    assert page.console_errors == []


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(live_server, page, demo):
    page.page.goto(f"{live_server}/de/")
    page.page.keyboard.press("Tab")
    focused = page.page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Zum Inhalt springen"
    page.page.keyboard.press("Enter")
    assert page.page.evaluate("document.activeElement.id") == "main"


def test_language_switcher_keeps_the_page_and_switches_direction(live_server, page, demo):
    page.page.goto(f"{live_server}/de/")
    page.page.get_by_role("link", name="العربية").click()
    # The click returns once the new page is committed, not parsed: wait for its <html>.
    page.page.wait_for_url("**/ar/")
    expect(page.page.locator("html")).to_have_attribute("dir", "rtl")
