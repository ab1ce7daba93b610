"""The minimal public site: home page, languages, health check."""

from __future__ import annotations


def test_root_redirects_to_the_preferred_language(client):
    response = client.get("/", headers={"Accept-Language": "ar,en;q=0.5"})
    assert response.status_code == 302 and response.location.endswith("/ar/")


def test_root_defaults_to_german(client):
    assert client.get("/").location.endswith("/de/")


def test_home_shows_the_demo_figures(client, runner):
    runner.invoke(args=["demo", "--locations", "50", "--offers", "120"])
    page = client.get("/de/").get_data(as_text=True)
    assert "Lernorte und Bildungsangebote" in page
    assert "Frühkindliche Bildung" in page
    from kbm_map.public.views import public_counts

    counts = public_counts()
    assert f"<dt>Lernorte</dt><dd>{counts['locations']}</dd>" in page
    assert f"<dt>Angebote</dt><dd>{counts['offers']:,}</dd>".replace(",", ".") in page


def test_arabic_pages_run_right_to_left(client):
    page = client.get("/ar/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page


def test_unknown_language_is_not_found(client):
    assert client.get("/fr/").status_code == 404


def test_healthz_reports_database_and_counts(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["locations"] == 0
    assert body["database"].split()[0] in {"SpatiaLite", "PostGIS"}


def test_missing_page_has_a_friendly_page_in_the_visitors_language(client):
    response = client.get("/de/gibt-es-nicht")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)


def test_unexpected_errors_show_no_traceback(tmp_path):
    from kbm_map import create_app

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})

    @fresh.get("/kaputt-test")
    def broken():
        raise RuntimeError("secret detail")

    response = fresh.test_client().get("/kaputt-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret detail" not in body and "Traceback" not in body
