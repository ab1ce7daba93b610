"""The staff area in Chromium: sign-in, map picker, search, review, reports, history, CSRF, axe."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from kbm_map.extensions import db
from kbm_map.models import ChangeReport, Location
from kbm_map.services import accounts
from kbm_map.services.accounts import MAX_FAILED_LOGINS

from .conftest import axe_violations, sign_in_browser

pytestmark = pytest.mark.browser


def test_sign_in_and_back_off_after_repeated_failures(
    live_server, page, admin_user, editor_user, monkeypatch
):
    monkeypatch.setattr(accounts, "FIRST_WAIT", timedelta(minutes=1))  # outlasts a slow browser
    page.page.goto(f"{live_server}/admin/lernorte")
    assert "/admin/anmelden" in page.page.url  # staff pages need signing in
    sign_in_browser(page, live_server, admin_user.email)
    assert page.page.url == f"{live_server}/admin/lernorte"
    page.page.get_by_role("button", name="Abmelden").click()
    for _ in range(MAX_FAILED_LOGINS - 1):
        sign_in_browser(page, live_server, editor_user.email, "leider-falsch-123")
    refused = page.page.get_by_role("alert").inner_text()
    assert "E-Mail-Adresse oder Passwort ist falsch." in refused
    sign_in_browser(page, live_server, editor_user.email, "leider-falsch-123")
    sign_in_browser(page, live_server, editor_user.email)  # the right password, held back
    assert page.page.get_by_role("alert").inner_text() == refused  # says nothing more
    assert page.page.url.startswith(f"{live_server}/admin/anmelden")
    assert [e for e in page.console_errors if "status of 401" not in e] == []


def test_creating_a_lernort_with_the_map_picker(live_server, page, editor_user):
    sign_in_browser(page, live_server, editor_user.email)
    page.page.goto(f"{live_server}/admin/lernorte/neu")
    page.page.get_by_label("Name", exact=True).fill("Jugendtreff am Fluss")
    picker = page.page.locator("#map-picker")
    assert picker.is_visible()
    picker.click(position={"x": 200, "y": 120})
    lat = page.page.get_by_label("Breite (Lat)").input_value()
    lon = page.page.get_by_label("Länge (Lon)").input_value()
    assert lat and lon
    page.page.get_by_role("button", name="Speichern").first.click()
    assert "Lernort gespeichert." in page.page.get_by_role("status").first.inner_text()
    location = db.session.query(Location).filter_by(name="Jugendtreff am Fluss").one()
    assert location.geom is not None
    assert page.page.get_by_label("Breite (Lat)").input_value() == lat
    assert page.foreign_requests() == []
    assert page.console_errors == []


def test_typing_coordinates_moves_the_marker_and_warns_outside_the_region(
    live_server, page, editor_user
):
    sign_in_browser(page, live_server, editor_user.email)
    page.page.goto(f"{live_server}/admin/lernorte/neu")
    page.page.get_by_label("Breite (Lat)").fill("48.85")
    page.page.get_by_label("Länge (Lon)").fill("2.35")
    assert page.page.locator(".leaflet-marker-icon").count() == 1
    assert "außerhalb des Gebiets" in page.page.locator("#map-warning").inner_text()


def test_an_edited_offer_is_found_in_public_search_within_seconds(
    live_server, page, editor_user, offer
):
    sign_in_browser(page, live_server, editor_user.email)
    page.page.goto(f"{live_server}/admin/angebote/{offer.id}")
    page.page.get_by_label("Titel").fill("Töpferkurs für Kinder")
    page.page.get_by_role("button", name="Speichern").click()
    saved = time.monotonic()
    page.page.goto(f"{live_server}/de/suche?q=Töpferkurs")
    assert page.page.get_by_role("link", name="Töpferkurs für Kinder").count() >= 1
    assert time.monotonic() - saved < 5


def test_marking_as_checked(live_server, page, editor_user, location):
    sign_in_browser(page, live_server, editor_user.email)
    page.page.goto(f"{live_server}/admin/lernorte/{location.id}")
    assert page.page.get_by_text("Noch nie geprüft.").is_visible()
    page.page.get_by_role("button", name="Als geprüft markieren").click()
    assert page.page.get_by_text("Zuletzt geprüft am").is_visible()
    db.session.refresh(location)
    assert location.checked_at is not None


def test_accepting_a_public_change_report(live_server, page, editor_user, location):
    page.page.goto(f"{live_server}/de/lernort/{location.slug}")
    page.page.get_by_role("link", name="Änderung melden").click()
    page.page.get_by_label("Was stimmt nicht?").fill("Neue Telefonnummer seit Mai.")
    page.page.get_by_label("Telefon").fill("0661 4711")
    page.page.get_by_role("button", name="Absenden").click()
    assert page.page.get_by_role("heading", name="Vielen Dank").is_visible()
    assert db.session.query(ChangeReport).count() == 1
    sign_in_browser(page, live_server, editor_user.email)
    page.page.get_by_role("link", name="Meldungen").click()
    page.page.get_by_role("row").nth(1).get_by_role("link").click()
    page.page.get_by_role("button", name="Übernehmen").click()
    assert "Änderung übernommen." in page.page.get_by_role("status").first.inner_text()
    db.session.refresh(location)
    assert location.phone == "0661 4711"


def test_history_of_an_entry_and_restoring_a_version(live_server, page, editor_user, location):
    sign_in_browser(page, live_server, editor_user.email)
    page.page.goto(f"{live_server}/admin/lernorte/{location.id}")
    page.page.get_by_label("Name", exact=True).fill("Bibliothek im Schloss")
    page.page.get_by_role("button", name="Speichern").first.click()
    page.page.get_by_role("link", name="Verlauf und frühere Fassungen").click()
    entries = page.page.locator(".history-entry")
    assert entries.count() == 2
    assert "Bibliothek im Schloss" in entries.first.inner_text()
    entries.last.get_by_role("button", name="Diese Fassung wiederherstellen").click()
    assert "Frühere Fassung wiederhergestellt." in page.page.get_by_role("status").inner_text()
    db.session.refresh(location)
    assert location.name == "Stadtbibliothek Lindenau"


def test_a_post_without_csrf_token_is_refused(live_server, page, editor_user):
    sign_in_browser(page, live_server, editor_user.email)
    page.page.goto(f"{live_server}/admin/traeger/neu")
    status = page.page.evaluate(
        """async () => (await fetch('/admin/traeger/neu', {
            method: 'POST', body: new URLSearchParams({name: 'Ohne Token e. V.'})
        })).status"""
    )
    assert status == 400
    page.page.locator("#csrf_token").evaluate("input => input.remove()")
    page.page.get_by_label("Name").fill("Ohne Token e. V.")
    page.page.get_by_role("button", name="Speichern").click()
    assert page.page.get_by_role("heading", name="Ungültige Anfrage").is_visible()


def test_staff_pages_have_no_accessibility_violations(live_server, page, admin_user, location):
    page.page.goto(f"{live_server}/admin/anmelden")
    assert axe_violations(page) == [], "login"
    sign_in_browser(page, live_server, admin_user.email)
    for path in (
        "/admin/",
        "/admin/lernorte",
        f"/admin/lernorte/{location.id}",
        "/admin/angebote/neu",
        f"/admin/verlauf/location/{location.id}",
        "/admin/konten",
        f"/de/melden/location/{location.id}",
    ):
        page.page.goto(f"{live_server}{path}")
        assert axe_violations(page) == [], path
    page.page.goto(f"{live_server}/admin/lernorte/neu")
    page.page.get_by_role("button", name="Speichern").first.click()  # with error messages
    assert axe_violations(page) == [], "form with errors"
    assert page.foreign_requests() == []
    assert [e for e in page.console_errors if "status of 422" not in e] == []
