"""Every public page works in Chromium under its Content-Security-Policy, without a violation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import Location, Offer
from tests.map.browsing import TILE, serve, wait_until_ready

pytestmark = pytest.mark.browser
MAP_PAGES = ("/de/karte#11/50.55/9.68", "/embed/map#11/50.55/9.68", "/en/karte#11/50.55/9.68")


@pytest.fixture()
def demo(runner):
    """Load a small demo region (40 Lernorte, 80 Angebote, with Gemeinden)."""
    result = runner.invoke(args=["demo", "--locations", "40", "--offers", "80"])
    assert result.exit_code == 0, result.output


def public_pages() -> list[str]:
    """Return the public pages to visit: fixed ones plus a Lernort, an Angebot and its forms."""
    location, offer = (
        db.session.scalar(select(model).where(model.status == "published").order_by(model.id))
        for model in (Location, Offer)
    )
    pages = [
        "/de/",
        "/en/",
        "/ar/",
        "/de/suche",
        "/de/suche?q=Schule",
        "/de/zahlen",
        "/de/vorschlagen",
        "/de/melden/danke",
        "/de/gibt-es-nicht",
        f"/de/lernort/{location.slug}",
        f"/de/melden/location/{location.id}",
        f"/de/angebot/{offer.slug}",
        f"/de/melden/offer/{offer.id}",
    ]
    return pages


def visit(page, url: str) -> None:
    """Open a page and let its scripts run (map pages: until the markers are in)."""
    page.page.goto(url)
    page.page.wait_for_load_state("networkidle")
    if "karte" in url or "embed" in url:
        wait_until_ready(page.page)


def test_public_pages_report_no_csp_violation(live_server, page, demo, app_ctx, monkeypatch):
    """Open every kind of public page, with tiles, and find no CSP violation."""
    with serve({"/tiles/": ("image/png", TILE)}) as tiles:
        monkeypatch.setitem(app_ctx.config, "TILE_URL", f"{tiles}/tiles/{{z}}/{{x}}/{{y}}.png")
        paths = public_pages() + list(MAP_PAGES)
        for path in paths:
            visit(page, live_server + path)
            assert page.csp_violations == [], path
        assert page.page.locator(".leaflet-tile-loaded").count() > 0  # tiles passed img-src
    print(f"\n{len(paths)} public pages without a CSP violation")


def test_a_violation_is_caught(live_server, page, app_ctx):
    """Check that the fixture does notice a violation (an injected inline script)."""
    page.page.goto(f"{live_server}/de/")
    page.page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = \"document.title = 'changed'\"; document.body.append(s); }"
    )
    page.page.wait_for_timeout(200)
    assert page.page.title() != "changed"
    assert any("script-src" in message for message in page.csp_violations)
