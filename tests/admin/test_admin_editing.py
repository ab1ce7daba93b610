"""Editing Lernorte, Angebote, Träger, terms and regions through the staff forms."""

from __future__ import annotations

import pytest

from kbm_map.extensions import db
from kbm_map.models import AuditEntry, Location, Offer, Organization, PostcodePlace, Region, Term


def hits(client, text: str) -> list[str]:
    """Return the titles the public search API finds for a text."""
    return [hit["name"] if "name" in hit else hit["title"] for hit in _search(client, text)]


def _search(client, text: str) -> list[dict]:
    response = client.get("/api/v1/search", query_string={"q": text})
    assert response.status_code == 200
    return response.get_json()["hits"]


LOCATION = {
    "name": "Familienzentrum Sonnenhof",
    "street": "Lindenweg",
    "house_number": "4",
    "postcode": "36037",
    "city": "Fulda",
    "lat": "50,5512",
    "lon": "9.6751",
    "email": "info@sonnenhof.example",
    "opening_hours": "Mo-Fr 08:00-16:00",
    "languages": "de, tr",
    "step_free": "yes",
    "status": "published",
    "save": "1",
}


def test_a_new_lernort_is_saved_audited_and_searchable_at_once(admin_client, forms, admin_user):
    response = forms.post(admin_client, "/admin/lernorte/neu", LOCATION)
    assert response.status_code == 302
    location = db.session.query(Location).filter_by(name="Familienzentrum Sonnenhof").one()
    assert response.headers["Location"] == f"/admin/lernorte/{location.id}"
    assert location.step_free is True and location.parking is None
    assert location.languages == ["de", "tr"]
    entry = db.session.query(AuditEntry).filter_by(entity_type="location").one()
    assert (entry.action, entry.user_id, entry.origin) == ("create", admin_user.id, "staff")
    assert entry.changes["geom"] == [None, "9.675100 50.551200"]
    assert "name" in location.edited_fields and "status" not in location.edited_fields
    assert hits(admin_client, "Sonnenhof") == ["Familienzentrum Sonnenhof"]


def test_the_position_puts_the_lernort_into_its_gemeinde(admin_client, forms):
    db.session.add(
        Region(
            code="06631009",
            name="Fulda",
            geom="SRID=4326;MULTIPOLYGON(((9.6 50.5, 9.8 50.5, 9.8 50.6, 9.6 50.6, 9.6 50.5)))",
        )
    )
    db.session.commit()
    forms.post(admin_client, "/admin/lernorte/neu", LOCATION)
    location = db.session.query(Location).one()
    assert location.region.name == "Fulda"


def test_invalid_values_get_german_messages_beside_their_fields(admin_client, forms):
    bad = {
        **LOCATION,
        "name": "",
        "email": "info(at)example",
        "postcode": "360",
        "website": "www.example.org",
        "opening_hours": "montags 8 bis 16 Uhr",
        "lon": "",
    }
    response = forms.post(admin_client, "/admin/lernorte/neu", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "Bitte ausfüllen.",
        "Bitte eine E-Mail-Adresse angeben",
        "Die Postleitzahl hat fünf Ziffern.",
        "Bitte eine Webadresse mit http:// oder https:// angeben.",
        "Die Öffnungszeiten folgen nicht dem OSM-Format",
        "Bitte Breite und Länge angeben, oder beide leer lassen.",
    ):
        assert message in html
    assert 'id="postcode-error"' in html and 'aria-invalid="true"' in html
    assert db.session.query(Location).count() == 0


def test_offer_checks_ages_dates_and_sessions(admin_client, forms):
    response = forms.post(
        admin_client,
        "/admin/angebote/neu",
        {
            "title": "Schwimmkurs",
            "offer_type": "course",
            "cost_kind": "unknown",
            "status": "draft",
            "min_age": "10",
            "max_age": "6",
            "valid_from": "2026-05-01",
            "valid_until": "2026-04-01",
            "sessions": "2026-05-04 18:00 - 17:00\nnächsten Dienstag",
            "registration_phone": "ruf an",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Zeile 1: das Ende liegt vor dem Beginn." in html
    assert "Zeile 2: ein Termin ist" in html
    assert "Bitte eine Telefonnummer aus Ziffern angeben" in html
    # Cross-field checks come from the service once each field is fine on its own.
    response = forms.post(
        admin_client,
        "/admin/angebote/neu",
        {
            "title": "Schwimmkurs",
            "offer_type": "course",
            "cost_kind": "amount",
            "status": "draft",
            "min_age": "10",
            "max_age": "6",
            "valid_from": "2026-05-01",
            "valid_until": "2026-04-01",
        },
    )
    html = response.get_data(as_text=True)
    assert "Das Mindestalter ist höher als das Höchstalter." in html
    assert "Das Enddatum liegt vor dem Anfangsdatum." in html
    assert "Bei „Betrag“ bitte den Betrag angeben." in html
    assert db.session.query(Offer).count() == 0


def test_an_edited_offer_is_found_by_public_search_within_seconds(admin_client, forms, offer):
    assert hits(admin_client, "Töpferkurs") == []
    response = forms.post(
        admin_client,
        f"/admin/angebote/{offer.id}",
        {
            "title": "Töpferkurs für Kinder",
            "offer_type": "course",
            "cost_kind": "free",
            "status": "published",
            "locations": str(offer.locations[0].id),
            "sessions": "2026-05-04 15:00 - 16:30",
            "min_age": "6",
            "max_age": "10",
        },
    )
    assert response.status_code == 302
    assert hits(admin_client, "Töpferkurs") == ["Töpferkurs für Kinder"]
    db.session.refresh(offer)
    assert {"title", "sessions", "min_age", "cost_kind"} <= set(offer.edited_fields)
    change = db.session.query(AuditEntry).filter_by(entity_type="offer", action="update").one()
    assert change.changes["title"] == ["Lesekreis für Kinder", "Töpferkurs für Kinder"]
    assert change.changes["sessions"] == [[], ["2026-05-04T15:00:00/2026-05-04T16:30:00"]]


def test_only_published_entries_are_public(admin_client, forms, location):
    url = f"/admin/lernorte/{location.id}/status"
    forms.post(admin_client, f"{url}/archive")
    assert hits(admin_client, "Stadtbibliothek") == []
    entry = db.session.query(AuditEntry).filter_by(action="archive").one()
    assert entry.changes["status"] == ["published", "archived"]
    forms.post(admin_client, f"{url}/restore")
    db.session.refresh(location)
    assert location.status == "draft"  # restored entries are checked before they are public
    assert hits(admin_client, "Stadtbibliothek") == []
    forms.post(admin_client, f"{url}/publish")
    assert hits(admin_client, "Stadtbibliothek") == ["Stadtbibliothek Lindenau"]


def test_bulk_actions_change_the_selected_entries(admin_client, forms, location, offer):
    from kbm_map.services.offers import create_offer

    second = create_offer({"title": "Vorlesestunde", "status": "draft"}).entity
    response = forms.post(
        admin_client,
        "/admin/angebote/sammelaktion",
        {
            "action": "publish",
            "ids": [str(offer.id), str(second.id)],
            "back": "/admin/angebote?q=x",
        },
    )
    assert response.headers["Location"] == "/admin/angebote?q=x"
    db.session.refresh(second)
    assert second.status == "published"
    forms.post(
        admin_client, "/admin/angebote/sammelaktion", {"action": "check", "ids": [str(second.id)]}
    )
    db.session.refresh(second)
    assert second.checked_at is not None
    forms.post(
        admin_client, "/admin/angebote/sammelaktion", {"action": "archive", "ids": [str(offer.id)]}
    )
    assert hits(admin_client, "Lesekreis") == []


def test_a_position_outside_the_region_is_saved_with_a_warning(app, admin_client, forms):
    app.config["REGION_BBOX"] = (9.4, 50.3, 10.1, 50.8)
    try:
        response = forms.post(
            admin_client, "/admin/lernorte/neu", {**LOCATION, "lat": "48.85", "lon": "2.35"}
        )
        page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    finally:
        app.config["REGION_BBOX"] = (5.5, 47.2, 15.5, 55.1)
    assert "außerhalb des Gebiets" in page
    assert db.session.query(Location).count() == 1


def test_a_lookalike_nearby_is_flagged(admin_client, forms, location):
    response = forms.post(
        admin_client,
        "/admin/lernorte/neu",
        {**LOCATION, "name": "Stadtbibliothek Lindenau ", "lat": "50.5511", "lon": "9.6751"},
    )
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Möglicherweise doppelt" in page


def test_position_from_address_fills_the_fields_without_saving(admin_client, forms):
    db.session.add(
        PostcodePlace(postcode="36037", place="Fulda", place_key="fulda", lon=9.6803, lat=50.5558)
    )
    db.session.commit()
    data = {**LOCATION, "lat": "", "lon": "", "geocode": "1"}
    del data["save"]
    html = forms.post(admin_client, "/admin/lernorte/neu", data).get_data(as_text=True)
    assert 'value="50.555800"' in html and 'value="9.680300"' in html
    assert "Position gesetzt (Ortsmitte)" in html
    assert db.session.query(Location).count() == 0


def test_lists_filter_by_text_and_status(admin_client, location, offer):
    from kbm_map.services.locations import create_location

    create_location({"name": "Jugendzentrum Nord", "status": "draft"})
    html = admin_client.get("/admin/lernorte?q=jugend").get_data(as_text=True)
    assert "Jugendzentrum Nord" in html and "Stadtbibliothek" not in html
    html = admin_client.get("/admin/lernorte?status=published").get_data(as_text=True)
    assert "Stadtbibliothek" in html and "Jugendzentrum Nord" not in html
    assert "Lesekreis für Kinder" in admin_client.get("/admin/angebote?q=lese").get_data(
        as_text=True
    )


def test_renaming_a_traeger_reaches_search_and_archiving_hides_it(admin_client, forms, offer):
    forms.post(
        admin_client, "/admin/traeger/neu", {"name": "Bücherfreunde e. V.", "kind": "nonprofit"}
    )
    organization = db.session.query(Organization).one()
    offer.organization_id = organization.id
    db.session.commit()
    forms.post(
        admin_client,
        f"/admin/traeger/{organization.id}",
        {"name": "Lesefreunde Lindenau e. V.", "kind": "nonprofit", "website": "kein link"},
    )
    db.session.refresh(organization)
    assert organization.name == "Bücherfreunde e. V."  # the invalid website stopped the save
    forms.post(
        admin_client,
        f"/admin/traeger/{organization.id}",
        {"name": "Lesefreunde Lindenau e. V.", "kind": "nonprofit"},
    )
    assert hits(admin_client, "Lesefreunde") == ["Lesekreis für Kinder"]
    forms.post(admin_client, f"/admin/traeger/{organization.id}/archivieren")
    db.session.refresh(organization)
    assert organization.active is False
    assert "Lesefreunde" not in admin_client.get("/admin/traeger").get_data(as_text=True)


def test_terms_get_labels_and_can_be_archived(admin_client, forms):
    response = forms.post(
        admin_client,
        "/admin/begriffe/topic/neu",
        {"code": "Familien Bildung", "label_de": "Familienbildung"},
    )
    assert "Nur Kleinbuchstaben, Ziffern und Unterstriche" in response.get_data(as_text=True)
    forms.post(
        admin_client,
        "/admin/begriffe/topic/neu",
        {"code": "familienbildung", "label_de": "Familienbildung", "label_en": "Family learning"},
    )
    term = db.session.query(Term).filter_by(vocabulary="topic", code="familienbildung").one()
    assert term.labels == {"de": "Familienbildung", "en": "Family learning"}
    forms.post(admin_client, f"/admin/begriffe/{term.id}/archivieren")
    db.session.refresh(term)
    assert term.active is False
    form = admin_client.get("/admin/angebote/neu").get_data(as_text=True)
    assert "Familienbildung" not in form


def test_regions_are_edited_with_a_checked_key(admin_client, forms):
    response = forms.post(admin_client, "/admin/gemeinden/neu", {"code": "66", "name": "Künzell"})
    assert "Der Gemeindeschlüssel (AGS) hat 8 bis 12 Ziffern." in response.get_data(as_text=True)
    forms.post(
        admin_client,
        "/admin/gemeinden/neu",
        {"code": "06631016", "name": "Künzell", "population": "16500"},
    )
    region = db.session.query(Region).one()
    assert (region.name, region.population) == ("Künzell", 16500)
    forms.post(admin_client, f"/admin/gemeinden/{region.id}/archivieren")
    db.session.refresh(region)
    assert region.active is False


@pytest.mark.search_backends
def test_a_new_gemeinde_key_reaches_the_search_filter(admin_client, forms):
    forms.post(admin_client, "/admin/gemeinden/neu", {"code": "06631016", "name": "Künzell"})
    region = db.session.query(Region).one()
    forms.post(admin_client, "/admin/lernorte/neu", LOCATION)
    location = db.session.query(Location).one()
    location.region = region
    from kbm_map.services.indexing import commit_and_reindex

    commit_and_reindex(location_ids=[location.id])

    def found(code: str) -> int:
        response = admin_client.get("/api/v1/search", query_string={"region": code})
        return response.get_json()["total"]

    assert found("06631016") == 1
    forms.post(
        admin_client, f"/admin/gemeinden/{region.id}", {"code": "06631017", "name": "Künzell"}
    )
    assert db.session.get(Region, region.id).code == "06631017"
    assert (found("06631017"), found("06631016")) == (1, 0)


def test_long_lists_are_paged(editor_client):
    db.session.add_all(
        Location(slug=f"ort-{n:02}", name=f"Ort {n:02}", languages=[], edited_fields=[])
        for n in range(55)
    )
    db.session.commit()
    first = editor_client.get("/admin/lernorte").get_data(as_text=True)
    assert "Seite 1 von 2" in first and 'href="/admin/lernorte?page=2"' in first
    second = editor_client.get("/admin/lernorte?page=2").get_data(as_text=True)
    assert "Ort 54" in second and "Ort 00" not in second and "Vorherige Seite" in second


@pytest.mark.search_backends
def test_an_edit_while_a_rebuild_holds_the_index_is_refused_whole(
    admin_client, forms, database_url
):
    if database_url.search_backend != "postgres":
        pytest.skip("only the PostgreSQL search backend writes in the data's transaction")
    from kbm_map.finding import search_backend
    from kbm_map.search.postgres import _LOCK, LOCK_SPACE

    backend = search_backend()
    other = db.engine.raw_connection()  # another transaction, as a running rebuild would be
    timeout, backend.writer_timeout = backend.writer_timeout, 0.2
    try:
        cursor = other.cursor()
        cursor.execute(_LOCK, (LOCK_SPACE,))
        assert cursor.fetchone()[0]
        response = forms.post(admin_client, "/admin/lernorte/neu", LOCATION)
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert "nicht gespeichert" in response.get_data(as_text=True)
    finally:
        backend.writer_timeout = timeout
        other.rollback()
        other.close()
    assert db.session.query(Location).count() == 0  # nothing half-written
    assert db.session.query(AuditEntry).filter_by(entity_type="location").count() == 0
    response = forms.post(admin_client, "/admin/lernorte/neu", LOCATION)
    assert response.status_code == 302  # the lock gone, the same form saves
    assert hits(admin_client, "Sonnenhof") == ["Familienzentrum Sonnenhof"]
