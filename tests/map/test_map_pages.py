"""The map pages without a browser: list without JavaScript, embed headers, oEmbed, folium shell."""

from __future__ import annotations

import re

import folium
import pytest

from kbm_map import create_app
from kbm_map.errors import ConfigError
from kbm_map.extensions import db
from kbm_map.maps import build_map, render_parts

URL = re.compile(r"https?://[^\s\"'<>)]+")


def shell_html(**options) -> str:
    """Render a map shell and return its head, container and script together."""
    parts = render_parts(
        build_map(
            center=(50.55, 9.68),
            zoom=10,
            asset_url=lambda path: f"/static/{path}",
            label="Karte",
            legend=[{"symbol": "1", "label": "Schule"}],
            legend_title="Bildungsbereich",
            **options,
        )
    )
    return parts.header + parts.html + parts.script


def test_the_folium_shell_loads_nothing_from_other_hosts():
    assert URL.findall(shell_html(no_tiles_note="ohne Karte")) == []


def test_the_only_url_in_a_shell_with_tiles_is_the_tile_server():
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert set(URL.findall(shell_html(tile_url=tiles))) == {tiles}


def test_building_maps_leaves_folium_class_assets_alone():
    before = (list(folium.Map.default_js), list(folium.Map.default_css))
    shell_html(clusters=True)
    assert (folium.Map.default_js, folium.Map.default_css) == before


def test_legend_text_goes_in_as_json_not_markup():
    parts = render_parts(
        build_map(
            center=(50.55, 9.68),
            zoom=10,
            asset_url=lambda path: path,
            label="Karte",
            legend=[{"symbol": "1", "label": "</script><img src=x onerror=alert(1)>"}],
            legend_title="${alert(1)}",
        )
    )
    assert "</script>" not in parts.script and "<img" not in parts.script
    assert '"${alert(1)}"' in parts.script  # a JSON string, never a template literal


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("TILE_URL", "OpenStreetMap"),
        ("TILE_URL", "https://tiles.example.org/tile.png"),
        ("EMBED_ORIGINS", ("https://ok.example.org", "javascript:alert(1)")),
        ("EMBED_ORIGINS", ("example.org; script-src *",)),
    ],
)
def test_unsafe_map_settings_stop_the_app(tmp_path, setting, value):
    with pytest.raises(ConfigError, match=f"KBM_{setting}"):
        create_app({"KBM_ENV": "development", setting: value})


def test_map_page_lists_the_places_without_javascript(client, places):
    for n in range(25):
        places.location(9.6 + n / 1000, 50.5, name=f"Lernort {n:02d}")
    db.session.commit()
    html = client.get("/de/karte").get_data(as_text=True)
    assert html.count('class="place-name"') == 20
    assert "25 Lernorte" in html and 'rel="next"' in html
    second = client.get("/de/karte?page=2").get_data(as_text=True)
    assert second.count('class="place-name"') == 5


def test_map_page_list_follows_filters_and_area(client, places):
    places.location(9.60, 50.50, name="Schule am Markt", areas=["schule"])
    places.location(9.61, 50.51, name="Stadtbücherei", areas=["non_formale_bildung"])
    places.location(9.95, 50.75, name="Schule draußen", areas=["schule"])
    db.session.commit()
    html = client.get("/de/karte?area=schule&bbox=9.5,50.4,9.7,50.6").get_data(as_text=True)
    assert "Schule am Markt" in html
    assert "Stadtbücherei" not in html and "Schule draußen" not in html


def test_map_page_explains_a_bad_parameter(client):
    response = client.get("/de/karte?zoom=99")
    assert response.status_code == 400
    assert "zoom" in response.get_data(as_text=True)


def test_map_page_allows_only_its_own_scripts(client):
    response = client.get("/de/karte")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/)[^>]*>", html)
    assert inline and all(f'nonce="{nonce}"' in tag for tag in inline)
    assert "frame-ancestors 'self'" in policy


def test_embed_may_be_framed_by_this_site_only_by_default(client):
    response = client.get("/embed/map?area=schule")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")
    assert "Set-Cookie" not in response.headers


def test_embed_may_be_framed_by_the_configured_origins(client, monkeypatch, app_ctx):
    monkeypatch.setitem(app_ctx.config, "EMBED_ORIGINS", ("https://www.lindenau.de",))
    policy = client.get("/embed/map").headers["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors 'self' https://www.lindenau.de")
    monkeypatch.setitem(app_ctx.config, "EMBED_ORIGINS", ("*",))
    assert client.get("/embed/map").headers["Content-Security-Policy"].endswith("frame-ancestors *")


def test_embed_has_no_header_and_links_to_the_full_site(client):
    html = client.get("/embed/map?area=schule&lang=en").get_data(as_text=True)
    assert 'class="site-header"' not in html and '<html lang="en"' in html
    assert re.search(r'href="http://localhost/en/karte\?area=schule" target="_blank"', html)


def test_embed_rejects_bad_parameters(client):
    response = client.get("/embed/map?height=5000")
    assert response.status_code == 400 and "height" in response.get_data(as_text=True)


def test_oembed_returns_the_iframe_for_a_map_url(client):
    body = client.get(
        "/oembed", query_string={"url": "http://localhost/de/karte?area=schule", "maxheight": 400}
    ).get_json()
    assert body["type"] == "rich" and body["version"] == "1.0"
    assert body["height"] == 400
    src = re.search(r'src="([^"]+)"', body["html"]).group(1)
    assert src == "http://localhost/embed/map?area=schule&amp;lang=de&amp;height=400"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"url": "https://elsewhere.example.org/de/karte"}, 404),
        ({"url": "http://localhost/de/suche"}, 404),
        ({"url": "http://localhost/embed/map", "format": "xml"}, 501),
        ({"url": "http://localhost/embed/map?colour=red"}, 400),
    ],
)
def test_oembed_refuses_what_it_cannot_embed(client, query, status):
    assert client.get("/oembed", query_string=query).status_code == status


def test_map_and_embed_pages_announce_oembed(client):
    for url in ("/de/karte", "/embed/map"):
        html = client.get(url).get_data(as_text=True)
        assert 'type="application/json+oembed"' in html


def test_snippet_builder_is_for_signed_in_staff(client):
    response = client.get("/de/karte/einbetten")
    assert response.status_code == 302 and "/admin/anmelden" in response.headers["Location"]


def test_snippet_builder_shows_code_and_preview(client, app_ctx, monkeypatch):
    from kbm_map.admin.security import StaffLogin
    from kbm_map.services.accounts import create_account

    user = create_account(None, "web@example.org", "Web Team", "editor", "ein-langes-passwort-42")
    with client.session_transaction() as session:
        session["_user_id"] = StaffLogin(user).get_id()
        session["_fresh"] = True
    html = client.get("/de/karte/einbetten?area=schule&height=600").get_data(as_text=True)
    assert "&lt;iframe src=&#34;http://localhost/embed/map?area=schule&amp;amp;lang=de" in html
    assert 'id="embed-preview"' in html and 'height="600"' in html


def test_lernort_page_has_a_small_map_only_with_a_position(client, places):
    located = places.location(9.68, 50.55, name="Mit Lage")
    unlocated = places.location(None, None, name="Ohne Lage")
    db.session.commit()
    html = client.get(f"/de/lernort/{located.slug}").get_data(as_text=True)
    assert 'class="detail-section location-map"' in html and " hidden>" in html
    assert (
        URL.findall(html.split('class="detail-section location-map"')[1].split("</section>")[0])
        == []
    )
    html = client.get(f"/de/lernort/{unlocated.slug}").get_data(as_text=True)
    assert "location-map" not in html


def test_home_page_links_to_the_map(client):
    html = client.get("/de/").get_data(as_text=True)
    assert 'href="/de/karte"' in html


def test_the_outlines_credit_line_is_on_the_map_without_tiles(client, runner, shared_data):
    result = runner.invoke(
        args=["regions", "import", str(shared_data / "fulda" / "gemeinden_lk_fulda.geojson")]
    )
    assert result.exit_code == 0, result.output
    html = client.get("/de/karte").get_data(as_text=True)
    assert "Grenzen der Gemeinden (\\u00a9 GeoBasis-DE / BKG 2021" in html  # a JSON string
