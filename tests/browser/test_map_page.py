"""The map page in Chromium: clusters and places, popups, filters, list, view, tiles, a11y."""

from __future__ import annotations

import re

import pytest

from kbm_map.extensions import db
from tests.map.browsing import (
    MAP,
    TILE,
    axe_violations,
    central,
    click_and_wait,
    serve,
    set_view,
    wait_until_ready,
    zoom,
)
from tests.map.places import Places, add_region

pytestmark = pytest.mark.browser
EVIL = ("<img src=x onerror=alert(1)>", "${alert(1)}")


@pytest.fixture()
def demo(runner):
    """Load the small demo region (80 Lernorte, 200 Angebote, with Gemeinden)."""
    result = runner.invoke(args=["demo", "--locations", "80", "--offers", "200"])
    assert result.exit_code == 0, result.output


@pytest.fixture()
def evil(app_ctx):
    """Add two Lernorte whose names are markup and a template literal."""
    places = Places()
    add_region()
    for n, name in enumerate(EVIL):
        places.location(9.68 + n * 0.0004, 50.55, name=name)
    db.session.commit()


def a_place(page, live_server) -> dict:
    """Return the first Lernort of the list (name, position) through the API."""
    return page.page.request.get(f"{live_server}/api/v1/map/places?per_page=1").json()["items"][0]


def open_map(page, live_server, path="/de/karte", view="#10/50.55/9.68"):
    """Open the map page at a view and wait for its markers."""
    page.page.goto(f"{live_server}{path}{view}")
    wait_until_ready(page.page)


def test_clusters_at_low_zoom_and_places_at_high_zoom(live_server, page, demo):
    open_map(page, live_server, view="#10/50.55/9.68")
    assert page.page.locator(".kbm-cluster").count() > 3
    assert page.page.get_attribute(".kbm-map", "data-view") == "clusters"
    place = a_place(page, live_server)
    set_view(page.page, place["lat"], place["lon"], 15)
    assert page.page.get_attribute(".kbm-map", "data-view") == "points"
    assert page.page.locator(".kbm-cluster").count() == 0
    assert page.page.locator(".kbm-marker").count() >= 1
    assert page.console_errors == []


def test_a_click_on_a_cluster_zooms_in(live_server, page, demo):
    open_map(page, live_server, view="#9/50.55/9.68")
    cluster = central(page.page, ".kbm-cluster")
    count = int(cluster.text_content())
    click_and_wait(page.page, cluster, "map.getZoom() > 9")
    assert zoom(page.page) > 9
    shown = page.page.evaluate(
        "() => [...document.querySelectorAll('.kbm-cluster')]"
        ".reduce((n, el) => n + Number(el.textContent), 0)"
        " + document.querySelectorAll('.kbm-marker').length"
    )
    assert shown >= count


def test_the_popup_links_to_the_lernort_page(live_server, page, demo):
    open_map(page, live_server, view="#9/50.55/9.68")
    while page.page.locator(".kbm-marker").count() == 0:
        before = zoom(page.page)
        click_and_wait(page.page, central(page.page, ".kbm-cluster"), f"map.getZoom() > {before}")
    marker = central(page.page, ".kbm-marker")
    name = marker.get_attribute("title")
    marker.click()
    link = page.page.locator(".kbm-popup-link")
    assert page.page.locator(".kbm-popup-name").text_content() == name
    assert re.fullmatch(rf"{live_server}/de/lernort/[a-z0-9-]+", link.evaluate("a => a.href"))
    link.click()
    page.page.wait_for_url(re.compile(r"/de/lernort/"))
    assert page.page.locator("h1").text_content() == name


def test_filters_change_the_markers_the_list_and_the_url(live_server, page, demo):
    open_map(page, live_server, view="#10/50.55/9.68")
    before = page.page.locator("#map-status").text_content()
    list_before = page.page.locator("#map-list-count").text_content()
    page.page.get_by_role("group", name="Bildungsbereich").get_by_label(
        "Schule", exact=True
    ).check()
    page.page.wait_for_function(
        "(before) => document.querySelector('#map-status').textContent !== before"
        " && document.querySelector('.kbm-map').dataset.state === 'ready'",
        arg=before,
    )
    page.page.wait_for_function(
        "(before) => document.querySelector('#map-list-count').textContent !== before",
        arg=list_before,
    )
    after = page.page.locator("#map-status").text_content()
    assert 0 < number(after) < number(before)
    assert number(page.page.locator("#map-list-count").text_content()) < number(list_before)
    assert "area=schule" in page.page.url


def number(text: str) -> int:
    """Return the first whole number in a text."""
    return int(re.search(r"\d+", text.replace(".", "")).group())


def test_malicious_names_stay_text_on_the_map_in_popups_and_in_the_list(live_server, page, evil):
    dialogs = []
    page.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_map(page, live_server, view="#18/50.55/9.6802")
    titles = page.page.evaluate(
        "() => [...document.querySelectorAll('.kbm-marker')].map(m => m.title).sort()"
    )
    assert titles == sorted(EVIL)
    for name in EVIL:
        page.page.locator(f".kbm-marker[title='{name}']").click()
        page.page.wait_for_function(
            "(name) => [...document.querySelectorAll('.leaflet-popup .kbm-popup-name')]"
            ".some(p => p.textContent === name)",
            arg=name,
        )
    page.page.locator("#map-search-area").click()
    page.page.wait_for_function(
        "() => document.querySelector('#map-list-scope').textContent.includes('Karten')"
    )
    listed = page.page.locator("#map-list-items .place-name").all_text_contents()
    assert sorted(listed) == sorted(EVIL)
    assert page.page.locator("img[src=x]").count() == 0
    assert dialogs == [] and page.console_errors == []


def test_search_this_area_filters_the_list(live_server, page, demo):
    open_map(page, live_server, view="#10/50.55/9.68")
    total = page.page.locator("#map-list-count").text_content()
    set_view(page.page, 50.55, 9.68, 13)
    button = page.page.get_by_role("button", name="In diesem Kartenausschnitt suchen")
    button.click()
    page.page.wait_for_function(
        "(total) => document.querySelector('#map-list-count').textContent !== total", arg=total
    )
    assert page.page.locator("#map-list-scope").text_content() == "im gewählten Kartenausschnitt"
    assert "bbox=" in page.page.url
    assert button.is_hidden()


def test_the_view_is_kept_in_the_url(live_server, page, demo):
    open_map(page, live_server, view="#10/50.55/9.68")
    set_view(page.page, 50.6, 9.7, 14)
    assert page.page.url.endswith("#14/50.60000/9.70000")
    page.page.reload()
    wait_until_ready(page.page)
    assert zoom(page.page) == 14


def test_a_moving_view_cancels_the_request_in_flight(live_server, page, demo):
    open_map(page, live_server, view="#10/50.55/9.68")
    finished = []
    page.page.on("requestfinished", lambda r: "/api/v1/map?" in r.url and finished.append(r.url))
    page.page.evaluate(
        f"() => {{ const map = {MAP}; map.setView([50.5, 9.6], 12, {{animate: false}});"
        " map.setView([50.6, 9.8], 13, {animate: false}); }"
    )
    wait_until_ready(page.page, "map.getZoom() === 13")
    page.page.wait_for_load_state("networkidle")
    assert len(finished) == 1 and "zoom=13" in finished[0]


def test_choropleth_shows_figures_per_1000_with_a_table(live_server, page, demo):
    open_map(page, live_server)
    page.page.get_by_label("Angebote je 1.000 Einwohner").check()
    page.page.wait_for_selector("#map-choropleth table tbody tr")
    assert page.page.locator("#map-choropleth h2").text_content() == "Angebote je 1.000 Einwohner"
    assert page.page.locator(".kbm-legend").is_hidden()
    assert "layer=offers" in page.page.url
    page.page.get_by_role("radio", name="Lernorte", exact=True).check()
    assert page.page.locator("#map-choropleth").is_hidden()


def test_leaflet_stays_left_to_right_in_arabic(live_server, page, demo):
    open_map(page, live_server, path="/ar/karte")
    assert page.page.evaluate("document.documentElement.dir") == "rtl"
    assert page.page.get_attribute(".kbm-map", "dir") == "ltr"


def test_no_request_leaves_this_machine(live_server, page, demo):
    open_map(page, live_server)
    place = a_place(page, live_server)
    set_view(page.page, place["lat"], place["lon"], 16)
    assert page.foreign_requests() == []
    assert page.console_errors == []


def test_configured_tiles_come_from_the_tile_server_only(
    live_server, page, demo, monkeypatch, app_ctx
):
    hits: list[str] = []
    with serve({"/tiles/": ("image/png", TILE)}, hits) as tiles:
        monkeypatch.setitem(app_ctx.config, "TILE_URL", f"{tiles}/tiles/{{z}}/{{x}}/{{y}}.png")
        open_map(page, live_server)
        page.page.wait_for_load_state("networkidle")
    assert any(hit.startswith("/tiles/10/") for hit in hits)
    assert page.foreign_requests() == []
    assert page.console_errors == []


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_map_page_has_no_accessibility_violations(live_server, page, demo, lang):
    open_map(page, live_server, path=f"/{lang}/karte")
    assert axe_violations(page.page, live_server) == []
    place = a_place(page, live_server)
    set_view(page.page, place["lat"], place["lon"], 17)
    central(page.page, ".kbm-marker").click()
    # Popups fade in: measure contrast once they are fully opaque.
    page.page.wait_for_function(
        "() => { const p = document.querySelector('.leaflet-popup');"
        " return p && getComputedStyle(p).opacity === '1'; }"
    )
    assert axe_violations(page.page, live_server) == []


def test_lernort_page_shows_its_position_on_a_small_map(live_server, page, demo):
    place = a_place(page, live_server)
    page.page.goto(live_server + place["url"])
    page.page.locator(".location-map .leaflet-overlay-pane path").first.wait_for()
    assert page.page.locator(".location-map").is_visible()
    assert page.page.get_attribute(".location-map .kbm-map", "dir") == "ltr"
    assert page.axe_violations() == []
    assert page.foreign_requests() == [] and page.console_errors == []
