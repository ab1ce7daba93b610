"""The embedded map in Chromium: inside an iframe of another origin, refused elsewhere."""

from __future__ import annotations

import pytest

from tests.map.browsing import axe_violations, serve, wait_until_ready

pytestmark = pytest.mark.browser


@pytest.fixture()
def demo(runner):
    """Load the small demo region (80 Lernorte, 200 Angebote, with Gemeinden)."""
    result = runner.invoke(args=["demo", "--locations", "80", "--offers", "200"])
    assert result.exit_code == 0, result.output


def host_page(src: str) -> bytes:
    """Return a CMS-like page that embeds the map."""
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Gemeinde</title>'
        f'</head><body><h1>Unsere Schulen</h1><iframe src="{src}" title="Karte" width="800" '
        'height="500"></iframe></body></html>'
    ).encode()


def test_the_embed_works_in_an_iframe_of_a_configured_origin(
    live_server, page, demo, monkeypatch, app_ctx
):
    src = f"{live_server}/embed/map?area=schule&lang=de"
    with serve({"/": ("text/html", host_page(src))}) as cms:
        monkeypatch.setitem(app_ctx.config, "EMBED_ORIGINS", (cms,))
        page.page.goto(f"{cms}/schulen.html")
        frame = page.page.frame_locator("iframe")
        frame.locator(".kbm-cluster, .kbm-marker").first.wait_for()
        link = frame.get_by_role("link", name="Auf der vollständigen Seite ansehen")
        assert link.get_attribute("href") == f"{live_server}/de/karte?area=schule"
        assert link.get_attribute("target") == "_blank"
        assert frame.locator("header, footer, .site-header").count() == 0
    assert page.foreign_requests() == []
    assert page.console_errors == []
    assert page.page.context.cookies() == []


def test_the_embed_is_refused_in_an_iframe_of_another_origin(live_server, page, demo):
    with serve({"/": ("text/html", host_page(f"{live_server}/embed/map"))}) as cms:
        page.page.goto(f"{cms}/fremd.html")
        page.page.wait_for_load_state("load")
        embedded = page.page.frames[1]
        assert embedded.url.startswith("chrome-error://") or embedded.url == "about:blank"
        assert embedded.locator(".kbm-map").count() == 0
    assert any("frame-ancestors" in message for message in page.console_errors)


def test_a_popup_link_in_the_embed_opens_a_new_tab(live_server, page, demo):
    place = page.page.request.get(f"{live_server}/api/v1/map/places?per_page=1").json()["items"][0]
    page.page.goto(
        f"{live_server}/embed/map?bbox={place['lon'] - 0.002},{place['lat'] - 0.001},"
        f"{place['lon'] + 0.002},{place['lat'] + 0.001}&zoom=17"
    )
    wait_until_ready(page.page)
    page.page.locator(f".kbm-marker[title='{place['name']}']").click()
    link = page.page.locator(".leaflet-popup .kbm-popup-link")
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("href") == live_server + place["url"]


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_embed_has_no_accessibility_violations(live_server, page, demo, lang):
    page.page.goto(f"{live_server}/embed/map?lang={lang}")
    wait_until_ready(page.page)
    assert page.page.evaluate("document.documentElement.lang") == lang
    assert axe_violations(page.page, live_server) == []
    assert page.console_errors == []


def test_snippet_builder_updates_code_and_preview(live_server, page, demo, app_ctx):
    from kbm_map.services.accounts import create_account

    create_account(None, "web@example.org", "Web Team", "editor", "ein-langes-passwort-42")
    page.page.goto(f"{live_server}/de/karte/einbetten")
    page.page.get_by_label("E-Mail").fill("web@example.org")
    page.page.get_by_label("Passwort").fill("ein-langes-passwort-42")
    page.page.get_by_role("button", name="Anmelden").click()
    page.page.wait_for_load_state("load")
    page.page.goto(f"{live_server}/de/karte/einbetten")
    page.page.get_by_role("group", name="Bildungsbereich").get_by_label(
        "Schule", exact=True
    ).check()
    page.page.get_by_label("Höhe in Pixeln").fill("600")
    page.page.get_by_label("Höhe in Pixeln").dispatch_event("change")
    snippet = page.page.locator("#embed-snippet")
    assert "area=schule" in snippet.input_value() and 'height="600"' in snippet.input_value()
    preview = page.page.frame_locator("#embed-preview")
    preview.locator(".kbm-cluster, .kbm-marker").first.wait_for()
    assert "area=schule" in page.page.get_attribute("#embed-preview", "src")
