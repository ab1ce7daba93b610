"""The public search in Chromium: keyboard use, accessibility in German and Arabic, privacy."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import Location, Offer, OfferSession
from kbm_map.services.indexing import index_entries

pytestmark = pytest.mark.browser


@pytest.fixture()
def demo(runner):
    """Load a small demo region with its search index."""
    result = runner.invoke(args=["demo", "--locations", "80", "--offers", "400"])
    assert result.exit_code == 0, result.output


def pages_to_check() -> list[str]:
    """Return the public pages that must pass axe: home, results, details, errors."""
    offer = db.session.scalars(select(Offer).where(Offer.status == "published")).first()
    location = offer.locations[0]
    return [
        "/",
        "/suche?q=Deutschkurs&free=1",
        "/suche?q=zzzxxyy",
        "/suche?age=abc",
        f"/lernort/{location.slug}",
        f"/angebot/{offer.slug}",
        "/gibt-es-nicht",
    ]


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_public_pages_have_no_accessibility_violations(live_server, page, demo, lang):
    for path in pages_to_check():
        page.page.goto(f"{live_server}/{lang}{path}")
        assert page.axe_violations() == [], path
    assert page.foreign_requests() == []
    assert [e for e in page.console_errors if "status of 4" not in e] == []


def test_newcomer_finds_free_german_course_near_a_postcode_this_month_by_keyboard(
    live_server, page, demo
):
    """Arabic UI, keyboard only: search, postcode, then the free and this-month filters."""
    offer = db.session.scalars(
        select(Offer).where(Offer.status == "published", Offer.title.startswith("Deutschkurs"))
    ).first()
    # Make sure at least one free session falls in this month, whatever day the test runs.
    offer.cost_kind = "free"
    offer.sessions.append(OfferSession(starts_at=datetime.combine(date.today(), time(23, 0))))
    db.session.commit()
    index_entries(offer_ids=[offer.id])
    postcode = offer.locations[0].postcode
    keyboard = page.page.keyboard
    page.page.goto(f"{live_server}/ar/")
    page.page.focus("#q")
    keyboard.type("Deutschkurs")
    keyboard.press("Tab")
    keyboard.type(postcode)
    keyboard.press("Enter")
    page.page.wait_for_url("**/ar/suche?**")
    assert page.page.evaluate("document.documentElement.dir") == "rtl"
    # Tick "free of charge" and "this month" with the keyboard alone, then apply.
    page.page.focus("input[name=when][value=month]")
    keyboard.press("Space")
    page.page.focus("input[name=free]")
    keyboard.press("Space")
    page.page.focus(".facets button[type=submit]")
    keyboard.press("Enter")
    page.page.wait_for_url("**free=1**")
    assert "when=month" in page.page.url
    titles = page.page.locator(".result h3").all_text_contents()
    assert titles and all("Deutschkurs" in t for t in titles)
    assert page.page.locator(".result-distance").count() == len(titles)
    assert page.foreign_requests() == []


def test_focus_is_visible_on_results(live_server, page, demo):
    page.page.goto(f"{live_server}/de/suche?q=Kita")
    page.page.focus(".result h3 a")
    outline = page.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_malicious_names_stay_text(live_server, page, demo):
    location = db.session.scalars(select(Location).where(Location.status == "published")).first()
    location.name = "<img src=x onerror=alert(1)> ${alert(1)}"
    db.session.commit()
    index_entries(location_ids=[location.id])
    dialogs = []
    page.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.page.goto(f"{live_server}/de/suche?q=alert")
    assert page.page.locator(".result h3").first.text_content().startswith("<img src=x")
    page.page.goto(f"{live_server}/de/lernort/{location.slug}")
    assert page.page.locator("h1").text_content() == "<img src=x onerror=alert(1)> ${alert(1)}"
    assert dialogs == [] and page.page.locator("img[src=x]").count() == 0
