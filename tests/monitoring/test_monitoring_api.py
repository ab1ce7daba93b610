"""/api/v1/monitoring: the same figures as the report, published only when switched on."""

from __future__ import annotations

import pytest

from tests.monitoring.population_files import FULDA


@pytest.fixture
def published(app_ctx):
    """Switch the public figures on for one test."""
    app_ctx.config["PUBLIC_FIGURES"] = True
    yield
    app_ctx.config["PUBLIC_FIGURES"] = False


def test_figures_are_not_public_by_default(client):
    for path in ("coverage", "gaps", "reach?kind=kita"):
        response = client.get(f"/api/v1/monitoring/{path}")
        assert response.status_code == 404
        assert "not published" in response.json["error"]["detail"]


def test_coverage_per_gemeinde(client, published, fulda):
    body = client.get("/api/v1/monitoring/coverage?area=schule").json
    assert len(body["areas"]) == 23
    fulda_area = next(a for a in body["areas"] if a["code"] == FULDA)
    assert fulda_area["population"]["value"] == 69_968
    assert fulda_area["population"]["reference_date"] == "2022-12-31"
    assert fulda_area["values"]["lernorte_je_1000"] == round(
        fulda_area["values"]["lernorte"] * 1000 / 69_968, 3
    )
    assert body["total"]["values"]["lernorte"] == 105
    assert body["filters"] == [["area", "schule"]]
    assert [i["key"] for i in body["indicators"]][:2] == ["lernorte", "angebote"]
    assert body["compare"] is None


def test_a_comparison_date_is_answered_alongside(client, published, fulda):
    body = client.get("/api/v1/monitoring/coverage?area=schule&compare=2020-01-01").json
    assert body["compare"]["reference_date"] == "2020-01-01"
    # The schools were imported today: none existed in the listings in 2020.
    assert body["compare"]["total"]["values"]["lernorte"] == 0


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("date=2026-13-01", "date"),
        ("date=1999-01-01", "date"),
        ("compare=morgen", "compare"),
        ("colour=red", "colour"),
        ("q=Schule", "q"),
        ("date=2025-01-01&date=2025-02-01", "date"),
    ],
)
def test_bad_parameters_are_named(client, published, query, parameter):
    response = client.get(f"/api/v1/monitoring/coverage?{query}")
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == parameter


def test_gaps_and_reach_answer(client, published, fulda):
    rules = client.get("/api/v1/monitoring/gaps").json["rules"]
    assert {r["id"] for r in rules} >= {"neuzugewanderte", "kita-zu-fuss"}
    reach = client.get("/api/v1/monitoring/reach?kind=grundschule&mode=bike").json
    assert reach["computed_at"] is None and reach["areas"] == []
    assert client.get("/api/v1/monitoring/reach?mode=bike").status_code == 400
    assert client.get("/api/v1/monitoring/reach?kind=x&mode=plane").status_code == 400


def test_the_openapi_document_describes_the_monitoring(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/monitoring/coverage", "/monitoring/gaps", "/monitoring/reach"} <= set(paths)
    names = {p["name"] for p in paths["/monitoring/coverage"]["get"]["parameters"]}
    assert {"area", "kind", "date", "compare"} <= names


def test_gaps_take_only_a_date(client, published):
    response = client.get("/api/v1/monitoring/gaps?kind=kita")
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == "kind"
    assert response.headers["Cache-Control"] == "no-store"  # errors stay out of caches


def test_the_public_figures_are_rate_limited(client, published, app_ctx):
    limit = app_ctx.config["FIGURES_RATE_LIMIT"]
    app_ctx.config["FIGURES_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [client.get("/api/v1/monitoring/gaps").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert "error" in client.get("/api/v1/monitoring/gaps").json
        assert client.get("/de/zahlen").status_code == 200  # a limit per page
    finally:
        app_ctx.config["FIGURES_RATE_LIMIT"] = limit
