"""The static export in Chromium, opened from file:// with no server at all."""

from __future__ import annotations

import pytest

from kbm_map.extensions import db
from tests.map.browsing import MAP, central, wait_until_ready
from tests.map.places import Places

pytestmark = pytest.mark.browser
EVIL = "<img src=x onerror=alert(1)>${alert(1)}"


@pytest.fixture()
def site(runner, tmp_path):
    """Export the small demo region plus a Lernort with a hostile name; return index.html."""
    result = runner.invoke(args=["demo", "--locations", "80", "--offers", "200"])
    assert result.exit_code == 0, result.output
    Places().location(9.6801, 50.5501, name=EVIL)
    db.session.commit()
    result = runner.invoke(args=["build-static", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    return tmp_path / "site" / "index.html"


def local_only(requests: list[str]) -> list[str]:
    """Return the requests that were not for files on disk (or inline data)."""
    return [url for url in requests if not url.startswith(("file://", "data:", "about:"))]


def test_the_export_shows_markers_from_disk_and_links_to_lernort_pages(site, page):
    dialogs = []
    page.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.page.goto(site.as_uri())
    wait_until_ready(page.page)
    assert page.page.locator(".kbm-cluster").count() > 0
    page.page.evaluate(f"{MAP}.setView([50.5501, 9.6801], 18, {{animate: false}})")
    page.page.locator(f".kbm-marker[title='{EVIL}']").wait_for()
    page.page.locator(f".kbm-marker[title='{EVIL}']").click()
    assert page.page.locator(".leaflet-popup .kbm-popup-name").text_content() == EVIL
    assert page.page.locator("img[src=x]").count() == 0
    page.page.evaluate(f"{MAP}.setView([50.55, 9.68], 10, {{animate: false}})")
    first = page.page.locator(".place-name").first
    name = first.text_content()
    first.click()
    page.page.wait_for_load_state("load")
    assert page.page.url.startswith(site.parent.as_uri() + "/lernort/")
    assert page.page.locator("h1").text_content() == name
    assert local_only(page.requests) == []
    assert dialogs == [] and page.console_errors == []


def test_a_click_on_a_cluster_zooms_in_from_disk(site, page):
    page.page.goto(site.as_uri())
    wait_until_ready(page.page)
    before = page.page.evaluate(f"{MAP}.getZoom()")
    central(page.page, ".kbm-cluster").click()
    page.page.wait_for_function(f"() => {MAP}.getZoom() > {before}")
    assert local_only(page.requests) == []


def test_the_export_has_no_accessibility_violations(site, page):
    page.page.goto(site.as_uri())
    wait_until_ready(page.page)
    assert page.axe_violations() == []
    page.page.locator(".place-name").first.click()
    page.page.wait_for_load_state("load")
    assert page.axe_violations() == []
