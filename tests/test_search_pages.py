"""The public search page, detail pages and the JSON API over a demo region."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import Location, Offer

pytestmark = pytest.mark.search_backends  # also on the postgres search backend


@pytest.fixture()
def demo(runner):
    """Load a small demo region (published entries are indexed)."""
    result = runner.invoke(args=["demo", "--locations", "80", "--offers", "300"])
    assert result.exit_code == 0, result.output


def published_offer(title_start: str) -> Offer:
    """Return a published offer whose title starts with the text."""
    stmt = select(Offer).where(Offer.status == "published", Offer.title.startswith(title_start))
    return db.session.scalars(stmt.order_by(Offer.id)).first()


def test_search_page_lists_hits_with_count_and_facets(client, demo):
    page = client.get("/de/suche?q=Deutschkurs").get_data(as_text=True)
    assert re.search(r"\d+ Treffer", page)
    assert "<mark>Deutschkurs</mark>" in page
    assert 'name="area" value="weiterbildung"' in page


def test_compound_words_and_typos_are_found(client, demo):
    kurs = client.get("/api/v1/search?q=Kurs&type=offer").get_json()
    assert any("Deutschkurs" in hit["title"] for hit in kurs["hits"])
    typo = client.get("/api/v1/search?q=Bibliotek").get_json()
    assert typo["total"] > 0


def test_filters_combine_and_facet_counts_match_the_hits(client, demo):
    everything = client.get("/api/v1/search?type=offer&per_page=100").get_json()
    free_count = next(v["count"] for v in everything["facets"]["free"])
    free = client.get("/api/v1/search?type=offer&free=1&per_page=100").get_json()
    assert free["total"] == free_count > 0
    both = client.get("/api/v1/search?type=offer&free=1&language=ar&per_page=100").get_json()
    assert 0 < both["total"] <= free["total"]
    for hit in both["hits"]:
        offer = db.session.get(Offer, hit["id"])
        assert offer.cost_kind == "free" and "ar" in offer.languages


def test_near_a_postcode_shows_distances_within_the_radius(client, demo):
    location = db.session.scalars(
        select(Location).where(Location.status == "published", Location.geom.isnot(None))
    ).first()
    body = client.get(f"/api/v1/search?near={location.postcode}&radius=5&sort=distance").get_json()
    assert body["near"]["label"] == location.postcode
    distances = [hit["distance_m"] for hit in body["hits"]]
    assert distances == sorted(distances) and all(d <= 5000 for d in distances)


def test_unknown_place_says_so(client, demo):
    page = client.get("/de/suche?near=Atlantis").get_data(as_text=True)
    assert "Den Ort „Atlantis“ kennen wir nicht" in page


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("bogus=1", "bogus"),
        ("age=abc", "age"),
        ("from=2026-13-01", "from"),
        ("sort=distance", "sort"),
        ("type=school", "type"),
        ("free=maybe", "free"),
        ("page=0", "page"),
        ("q=1&q=2", "q"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_parameter(client, demo, query, param):
    api = client.get(f"/api/v1/search?{query}")
    assert api.status_code == 400 and api.get_json()["error"]["parameter"] == param
    page = client.get(f"/de/suche?{query}")
    assert page.status_code == 400 and f"Parameter „{param}“" in page.get_data(as_text=True)


def test_empty_result_helps(client, demo):
    page = client.get("/de/suche?q=Deutschkurs&age=2&free=1").get_data(as_text=True)
    assert "Leider nichts gefunden" in page and "Ohne Filter suchen" in page


def test_pagination_links_keep_the_search(client, demo):
    page = client.get("/de/suche?type=offer&free=1").get_data(as_text=True)
    assert 'rel="next" href="/de/suche?page=2&amp;type=offer&amp;free=1"' in page


def test_location_page_shows_details_offers_and_json_ld(client, demo):
    offer = published_offer("Deutschkurs")
    place = offer.locations[0]
    page = client.get(f"/de/lernort/{place.slug}").get_data(as_text=True)
    assert place.name in page and "Barrierefreiheit" in page and offer.title in page
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    assert data["name"] == place.name and data["address"]["postalCode"] == place.postcode


def test_offer_page_formats_cost_in_german(client, demo):
    offer = db.session.scalars(
        select(Offer).where(Offer.status == "published", Offer.cost_kind == "amount")
    ).first()
    page = client.get(f"/de/angebot/{offer.slug}").get_data(as_text=True)
    assert f"{offer.cost_amount:.2f}".replace(".", ",") + "\xa0€" in page
    assert '"@type": "Course"' in page or '"@type": "Event"' in page


def test_drafts_are_not_public(client, demo):
    draft = db.session.scalars(select(Location).where(Location.status == "draft")).first()
    assert client.get(f"/de/lernort/{draft.slug}").status_code == 404
    assert client.get(f"/api/v1/locations/{draft.id}").status_code == 404


def test_detail_api(client, demo):
    offer = published_offer("Deutschkurs")
    body = client.get(f"/api/v1/offers/{offer.id}").get_json()
    assert body["title"] == offer.title and body["places"][0]["id"] == offer.locations[0].id
    assert (
        client.get(f"/api/v1/locations/{offer.locations[0].id}").get_json()["name"]
        == offer.locations[0].name
    )


def test_openapi_document_lists_every_parameter(client):
    document = client.get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in document["paths"]["/search"]["get"]["parameters"]}
    from kbm_map.finding.params import KNOWN_PARAMS

    assert names == set(KNOWN_PARAMS) and document["openapi"].startswith("3.1")


def test_malicious_names_are_escaped(client, demo):
    location = db.session.scalars(select(Location).where(Location.status == "published")).first()
    location.name = "<img src=x onerror=alert(1)> ${alert(1)}"
    db.session.commit()
    from kbm_map.services.indexing import index_entries

    index_entries(location_ids=[location.id])
    page = client.get("/de/suche?q=alert").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=<mark>alert</mark>(1)&gt; ${<mark>alert</mark>(1)}" in page
    detail = client.get(f"/de/lernort/{location.slug}").get_data(as_text=True)
    assert "<img src=x" not in detail


def test_sitemap_and_robots(client, demo):
    index = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/sitemap-1.xml" in index
    page = client.get("/sitemap-1.xml").get_data(as_text=True)
    assert 'hreflang="ar"' in page and "/de/lernort/" in page and "/en/angebot/" in page
    assert "Sitemap: http://localhost/sitemap.xml" in client.get("/robots.txt").get_data(
        as_text=True
    )


def test_language_versions_link_each_other(client, demo):
    page = client.get("/en/suche?q=Kita").get_data(as_text=True)
    assert '<link rel="alternate" hreflang="ar" href="http://localhost/ar/suche?q=Kita">' in page
