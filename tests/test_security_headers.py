"""Every answer carries the security headers: pages, API, forms, errors, redirects, assets."""

from __future__ import annotations

import re

import pytest

from kbm_map.extensions import db
from tests.map.places import Places, add_region

# Answers that are not all of them 200: (path, expected status).
WITH_PARAMETERS = [
    ("/de/lernort/{location}", 200),
    ("/de/angebot/{offer}", 200),
    ("/de/melden/location/{location_id}", 200),
    ("/de/melden/offer/{offer_id}", 200),
    ("/api/v1/locations/{location_id}", 200),
    ("/api/v1/offers/{offer_id}", 200),
    ("/de/lernort/gibt-es-nicht", 404),
    ("/api/v1/locations/999999", 404),
    ("/api/v1/search?per_page=abc", 400),
    ("/de/karte?zoom=99", 400),
    ("/embed/map?zoom=99", 400),
    ("/xx/", 404),
    ("/", 302),
    ("/admin/", 302),
    ("/static/css/site.css", 200),
    ("/sitemap-1.xml", 200),
    ("/de/melden/location/1?x=1", None),  # whatever it is, it has the headers
]


@pytest.fixture()
def entries(app_ctx):
    """Add a published Lernort with an Angebot; return the values the paths need."""
    places = Places()
    add_region()
    location = places.location(9.68, 50.55, name="Grundschule am Markt")
    offer = places.offer([location], title="Töpfern")
    db.session.commit()
    return {
        "location": location.slug,
        "location_id": location.id,
        "offer": offer.slug,
        "offer_id": offer.id,
    }


def get_routes_without_parameters(app) -> list[str]:
    """Return the paths of every GET rule that needs no value, languages filled in."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        arguments = set(rule.arguments) - {"lang"}
        if arguments:
            continue
        paths.append(rule.rule.replace("<lang:lang>", "de"))
    return sorted(set(paths))


def check_headers(response, path: str) -> None:
    """Assert the security headers of one answer."""
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("Referrer-Policy") in ("strict-origin-when-cross-origin", "same-origin")
    policy = headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors "):
        assert directive in policy, (path, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
    assert re.search(r"script-src 'self'( 'nonce-[\w-]+')?;", policy), (path, policy)
    if "frame-ancestors 'none'" in policy:
        assert headers.get("X-Frame-Options") == "DENY", path


def test_every_parameterless_get_route_sends_the_headers(client, app_ctx):
    """Check every GET rule of the URL map that needs no value (admin ones answer a redirect)."""
    paths = get_routes_without_parameters(app_ctx)
    assert len(paths) >= 30
    for path in paths:
        response = client.get(path)
        response.close()
        check_headers(response, path)


@pytest.mark.parametrize(("path", "status"), WITH_PARAMETERS)
def test_answers_with_parameters_errors_and_redirects_send_the_headers(
    client, entries, path, status
):
    """Check pages with ids and slugs, 400 and 404 answers, redirects and a static file."""
    path = path.format(**entries)
    response = client.get(path)
    response.close()  # static files are open until then
    if status is not None:
        assert response.status_code == status, path
    check_headers(response, path)


def test_post_answers_send_the_headers(client, entries):
    """Check a report form POST without CSRF token (400) and a POST to the API (405)."""
    response = client.post(f"/de/melden/location/{entries['location_id']}", data={})
    assert response.status_code == 400
    check_headers(response, "POST melden")
    response = client.post("/api/v1/search")
    assert response.status_code == 405
    check_headers(response, "POST api")


def test_each_page_has_its_own_nonce_and_every_inline_script_carries_it(client, entries):
    """Check that the nonce changes per request and the Lernort map's script has it."""
    first = client.get(f"/de/lernort/{entries['location']}")
    second = client.get(f"/de/lernort/{entries['location']}")
    nonces = [
        re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1)
        for r in (first, second)
    ]
    assert nonces[0] != nonces[1]
    html = first.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/)[^>]*>", html)
    assert inline and all(f'nonce="{nonces[0]}"' in tag for tag in inline)


def test_own_policies_and_cache_rules_stay(client, app_ctx, monkeypatch):
    """Check that embed and staff keep their policy and every response its Cache-Control."""
    monkeypatch.setitem(app_ctx.config, "EMBED_ORIGINS", ("https://www.lindenau.de",))
    embed = client.get("/embed/map")
    assert embed.headers["Content-Security-Policy"].endswith(
        "frame-ancestors 'self' https://www.lindenau.de"
    )
    assert "X-Frame-Options" not in embed.headers
    assert embed.headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/api/v1/search").headers["Cache-Control"] == "public, max-age=60"
    staff = client.get("/admin/anmelden")
    assert staff.headers["Cache-Control"] == "no-store"
    assert staff.headers["Referrer-Policy"] == "same-origin"
    assert "nonce-" not in staff.headers["Content-Security-Policy"]


def test_the_tile_host_may_serve_images_and_be_connected_to(client, app_ctx, monkeypatch):
    """Check that the host of KBM_TILE_URL is allowed for images and connections."""
    monkeypatch.setitem(app_ctx.config, "TILE_URL", "https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    policy = client.get("/de/suche").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org" in policy
    assert "connect-src 'self' https://*.tiles.example.org" in policy


def test_unexpected_errors_send_the_headers(tmp_path):
    """Check a 500 page and a 500 API answer."""
    from kbm_map import create_app

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})

    @fresh.get("/kaputt-test")
    @fresh.get("/api/v1/kaputt-test")
    def broken():
        """Fail the way a bug would."""
        raise RuntimeError("secret detail")

    for path in ("/kaputt-test", "/api/v1/kaputt-test"):
        response = fresh.test_client().get(path)
        assert response.status_code == 500
        check_headers(response, path)
