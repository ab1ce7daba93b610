"""Freshness dashboard, `kbm-map check`, history and restore, public reports and moderation."""

from __future__ import annotations

from datetime import date, timedelta

from kbm_map.extensions import db
from kbm_map.models import AuditEntry, ChangeReport, ImportRun, Offer, utcnow
from kbm_map.services.freshness import findings
from kbm_map.services.locations import create_location, update_location


def by_key() -> dict:
    """Return the dashboard findings by key."""
    return {finding.key: finding for finding in findings()}


def test_the_dashboard_lists_what_needs_attention(app_ctx, location, offer):
    location.created_at = utcnow() - timedelta(days=400)
    offer.valid_until = date.today() - timedelta(days=1)
    db.session.commit()
    create_location({"name": "Kita ohne Ort", "status": "published"})
    create_location({"name": "Stadtbücherei Lindenau", "geom": (9.6751, 50.5511)})
    create_location(
        {
            "name": "Musikschule",
            "street": "Am Markt",
            "postcode": "36037",
            "status": "draft",
            "email": "a@b.de",
        }
    )
    create_location({"name": "musikschule", "street": "am markt", "postcode": "36037"})
    db.session.add(
        ImportRun(source_name="vhs", file_name="vhs.csv", status="done", rejected=[{"row": 3}])
    )
    db.session.commit()
    found = by_key()
    assert [i["name"] for i in found["stale"].items] == ["Stadtbibliothek Lindenau"]
    assert [i["name"] for i in found["past"].items] == ["Lesekreis für Kinder"]
    assert "Kita ohne Ort" in [i["name"] for i in found["no_position"].items]
    assert found["no_region"].count == 2  # no Gemeinde outlines loaded at all
    assert {i["name"] for i in found["no_contact"].items} >= {
        "Kita ohne Ort",
        "Lesekreis für Kinder",
    }
    duplicates = {(i["name"], i["detail"].split(":")[0]) for i in found["duplicates"].items}
    assert ("Musikschule", "gleicher Name und gleiche Adresse") in duplicates
    assert found["imports"].count == 1


def test_duplicates_by_proximity_need_similar_names(app_ctx, location):
    create_location({"name": "Stadtbibliothek Lindenau (Zweigstelle)", "geom": (9.6751, 50.5511)})
    create_location({"name": "Kita Regenbogen", "geom": (9.6750, 50.5510)})
    details = [item["detail"] for item in by_key()["duplicates"].items]
    assert len(details) == 1 and "nah beieinander" in details[0]


def test_the_dashboard_page_shows_the_findings(editor_client, location):
    html = editor_client.get("/admin/").get_data(as_text=True)
    assert "Lernorte ohne Gemeinde" in html
    assert "Stadtbibliothek Lindenau" in html


def test_check_exits_non_zero_when_something_needs_attention(runner, location):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "Lernorte ohne Gemeinde: 1" in result.output
    assert "Lernort 1: Stadtbibliothek Lindenau" in result.output


def test_check_exits_zero_when_all_is_current(runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "Alles aktuell." in result.output


def test_marking_as_checked_sets_checked_at_and_writes_history(editor_client, forms, location):
    response = forms.post(editor_client, f"/admin/lernorte/{location.id}/geprueft")
    assert response.status_code == 302
    db.session.refresh(location)
    assert location.checked_at is not None
    assert db.session.query(AuditEntry).filter_by(action="check").count() == 1
    assert "Zuletzt geprüft am" in editor_client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_history_shows_changes_and_restores_an_earlier_version(editor_client, forms, location):
    update_location(location, {"phone": "0661 99999", "geom": (9.70, 50.56)})
    update_location(location, {"name": "Bibliothek am Markt"})
    history = editor_client.get(f"/admin/verlauf/location/{location.id}").get_data(as_text=True)
    assert "0661 99999" in history and "Bibliothek am Markt" in history
    created = db.session.query(AuditEntry).filter_by(action="create", entity_type="location").one()
    response = forms.post(editor_client, f"/admin/verlauf/location/{location.id}/{created.id}")
    assert response.status_code == 302
    db.session.refresh(location)
    assert (location.name, location.phone) == ("Stadtbibliothek Lindenau", "0661 12345")
    revert = db.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    assert revert.origin == f"revert:{created.id}"
    assert revert.changes["geom"] == ["9.700000 50.560000", "9.675000 50.551000"]


def test_restoring_an_offer_version_brings_back_dates_and_places(editor_client, forms, offer):
    from kbm_map.services.offers import update_offer

    update_offer(
        offer, {"valid_until": date(2026, 6, 30), "cost_kind": "amount", "cost_amount": 12}
    )
    version = db.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    update_offer(
        offer, {"valid_until": None, "locations": [], "cost_kind": "free", "cost_amount": None}
    )
    forms.post(editor_client, f"/admin/verlauf/offer/{offer.id}/{version.id}")
    db.session.refresh(offer)
    assert offer.valid_until == date(2026, 6, 30)
    assert str(offer.cost_amount) == "12.00" and offer.cost_kind == "amount"
    assert len(offer.locations) == 1


def test_a_version_of_another_entry_is_refused(editor_client, forms, location, offer):
    foreign = db.session.query(AuditEntry).filter_by(entity_type="offer").first()
    response = forms.post(editor_client, f"/admin/verlauf/location/{location.id}/{foreign.id}")
    assert response.status_code == 404


def report(client, forms, location, **extra):
    """Send a change report about the Lernort through the public form."""
    url = f"/de/melden/location/{location.id}"
    data = {"message": "Die Telefonnummer stimmt nicht.", "fix_phone": "0661 55555", **extra}
    return forms.post(client, url, data, token_from=url)


def test_anyone_can_report_a_change_into_the_queue(client, forms, location):
    response = report(client, forms, location, email="leser@example.org")
    assert response.headers["Location"] == "/de/melden/danke"
    stored = db.session.query(ChangeReport).one()
    assert stored.proposed == {"phone": "0661 55555"}
    assert (stored.entity_type, stored.entity_id, stored.language) == (
        "location",
        location.id,
        "de",
    )


def test_the_report_form_checks_its_fields(client, forms, location):
    response = report(client, forms, location, message="", fix_email="kaputt", email="auch kaputt")
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Bitte eine E-Mail-Adresse angeben") == 2
    assert db.session.query(ChangeReport).count() == 0


def test_a_filled_honeypot_is_thanked_but_not_stored(client, forms, location):
    response = report(client, forms, location, homepage="http://spam.example")
    assert response.headers["Location"] == "/de/melden/danke"
    assert db.session.query(ChangeReport).count() == 0


def test_report_forms_are_rate_limited(app, client, forms, location):
    allowed = int(app.config["REPORT_RATE_LIMIT"].split()[0])
    codes = [report(client, forms, location).status_code for _ in range(allowed + 1)]
    assert codes == [302] * allowed + [429]


def test_only_published_entries_can_be_reported(client, location):
    update_location(location, {"status": "draft"})
    assert client.get(f"/de/melden/location/{location.id}").status_code == 404


def test_the_public_detail_page_links_to_the_report_form(client, location):
    html = client.get(f"/de/lernort/{location.slug}").get_data(as_text=True)
    assert f'href="/de/melden/location/{location.id}"' in html


def test_accepting_a_report_applies_it_through_the_edit_path(client, forms, location, editor_user):
    report(client, forms, location)
    stored = db.session.query(ChangeReport).one()
    forms.sign_in(client, editor_user.email)
    url = f"/admin/meldungen/{stored.id}"
    assert "0661 55555" in client.get(url).get_data(as_text=True)
    response = forms.post(client, url, {"accept": "1", "value_phone": "0661 55556"}, token_from=url)
    assert response.headers["Location"] == f"/admin/lernorte/{location.id}"
    db.session.refresh(location)
    db.session.refresh(stored)
    assert location.phone == "0661 55556"  # as corrected by staff
    assert "phone" in location.edited_fields
    assert (stored.status, stored.decided_by_id) == ("accepted", editor_user.id)
    change = db.session.query(AuditEntry).filter_by(origin=f"report:{stored.id}").one()
    assert change.changes == {"phone": ["0661 12345", "0661 55556"]}


def test_an_invalid_correction_is_shown_instead_of_applied(client, forms, location, editor_user):
    report(client, forms, location)
    stored = db.session.query(ChangeReport).one()
    forms.sign_in(client, editor_user.email)
    url = f"/admin/meldungen/{stored.id}"
    response = forms.post(client, url, {"accept": "1", "value_phone": "anrufen!"}, token_from=url)
    assert response.status_code == 422
    assert "Bitte eine Telefonnummer aus Ziffern angeben" in response.get_data(as_text=True)
    db.session.refresh(stored)
    assert stored.status == "open"


def test_declining_a_report_changes_nothing(client, forms, location, editor_user):
    report(client, forms, location)
    stored = db.session.query(ChangeReport).one()
    forms.sign_in(client, editor_user.email)
    url = f"/admin/meldungen/{stored.id}"
    forms.post(client, url, {"decline": "1", "note": "Nummer stimmt"}, token_from=url)
    db.session.refresh(stored)
    db.session.refresh(location)
    assert (stored.status, stored.decision_note) == ("declined", "Nummer stimmt")
    assert location.phone == "0661 12345"


def test_a_suggestion_becomes_a_draft_offer(client, forms, editor_user):
    forms.post(
        client,
        "/de/vorschlagen",
        {"title": "Repair-Café", "place": "Bürgerhaus", "dates": "jeden 1. Samstag"},
        token_from="/de/vorschlagen",
    )
    stored = db.session.query(ChangeReport).one()
    forms.sign_in(client, editor_user.email)
    url = f"/admin/meldungen/{stored.id}"
    response = forms.post(
        client,
        url,
        {
            "accept": "1",
            "value_title": "Repair-Café Lindenau",
            "value_place": "Bürgerhaus",
            "value_dates": "jeden 1. Samstag",
        },
        token_from=url,
    )
    offer = db.session.query(Offer).one()
    assert response.headers["Location"] == f"/admin/angebote/{offer.id}"
    assert (offer.title, offer.status) == ("Repair-Café Lindenau", "draft")
    assert "Ort des Angebots: Bürgerhaus" in offer.description


def test_report_urls_are_what_the_public_pages_link(app):
    from flask import url_for

    with app.test_request_context("/de/"):
        assert url_for("reports.report_change", kind="offer", id=7) == "/de/melden/offer/7"
        assert url_for("reports.suggest", lang="en") == "/en/vorschlagen"
