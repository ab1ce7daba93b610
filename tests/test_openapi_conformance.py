"""The API answers as its own OpenAPI document says: schemathesis against the app, in-process.

The document is read from /api/v1/openapi.json of the app under test; every operation gets a
few deterministic examples (boundary values of the declared schemas, then generated ones) and
every answer passes schemathesis' checks: no 5xx, a documented status code, content type,
body schema and headers, invalid input refused and valid input accepted, and a 405 with an
Allow header for methods the document does not list.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import empty_tables

EXAMPLES_PER_OPERATION = 8


@pytest.fixture(scope="module")
def demo_app(app):
    """Return the app on a small demo region, with the monitoring figures published."""
    from kbm_map.extensions import db, limiter
    from kbm_map.finding import search_backend
    from kbm_map.services.taxonomy import seed_terms

    with app.app_context():
        limiter.reset()
        empty_tables(db)
        seed_terms()
        search_backend().rebuild([])
        db.session.commit()
        result = app.test_cli_runner().invoke(
            args=["demo", "--locations", "40", "--offers", "120", "--seed", "3"]
        )
        assert result.exit_code == 0, result.output
        db.session.remove()
    saved = {key: app.config[key] for key in ("PUBLIC_FIGURES", "FIGURES_RATE_LIMIT")}
    app.config.update(PUBLIC_FIGURES=True, FIGURES_RATE_LIMIT="100000 per minute")
    yield app
    app.config.update(saved)
    with app.app_context():
        limiter.reset()


class AppUnderTest:
    """A WSGI app that passes every request on to the app a fixture put in place.

    Schemathesis reads the document when the tests are collected, before any database exists;
    the answers come from the app of the database under test (both backends).
    """

    def __init__(self):
        """Start with an app without data: enough to serve the OpenAPI document."""
        from kbm_map import create_app

        self.app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})

    def __call__(self, environ, start_response):
        """Answer a request with the app in place."""
        return self.app(environ, start_response)


APP = AppUnderTest()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module")
def app_under_test(demo_app):
    """Point the schemathesis requests at the demo app."""
    quiet, APP.app = APP.app, demo_app
    yield demo_app
    APP.app = quiet


def test_the_document_read_is_the_one_of_the_app_under_test(app_under_test):
    """The document the examples come from is the one the app under test serves."""
    served = app_under_test.test_client().get("/api/v1/openapi.json").get_json()
    assert served["paths"] == schema.raw_schema["paths"]
    assert served["components"] == schema.raw_schema["components"]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_matches_its_openapi_document(case, app_under_test):
    """Every answer to a generated request conforms to the document (all default checks).

    A request that breaks a rule between parameters, which the document states in words
    (JSON Schema describes each parameter alone), must be refused with 400.
    """
    if case.meta is not None and case.meta.generation.mode.is_positive and broken_rule(case):
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        assert response.status_code == 400, broken_rule(case)
    else:
        case.call_and_validate()


def _value(query: dict, name: str) -> str:
    """Return a query value as the API reads it (stripped text, empty when absent)."""
    value = query.get(name)
    return "" if value is None else str(value).strip()


def _date(text: str) -> dt.date | None:
    """Read a date as the API does, or None."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def broken_rule(case) -> str | None:
    """Name the documented rule between parameters that a generated request breaks, if any."""
    query = case.query or {}
    today = dt.date.today()
    if _value(query, "sort") == "distance" and not _value(query, "near"):
        return "sort=distance needs near"
    low, high = _date(_value(query, "from")), _date(_value(query, "to"))
    if low and high and low > high:
        return "to before from"
    day, compare = _date(_value(query, "date")), _date(_value(query, "compare"))
    if any(d and d > today for d in (day, compare)):
        return "a reference date in the future"
    if compare and compare == (day or today):
        return "compare is the same day as date"
    bbox = _value(query, "bbox")
    if bbox:
        west, south, east, north = (float(v) for v in bbox.split(","))
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            return "bbox out of order or range"
        zoom = _value(query, "zoom")
        if case.path == "/map" and zoom and too_large(west, south, east, north, int(zoom)):
            return "bbox larger than 8192 pixels at the zoom"
    return None


def too_large(west: float, south: float, east: float, north: float, zoom: int) -> bool:
    """Tell whether a view is wider or higher than 8192 pixels at a zoom (Web Mercator)."""
    scale = 256 * 2**zoom / 360

    def mercator(lat: float) -> float:
        """Return the Web Mercator y of a latitude, in degrees."""
        return math.degrees(math.asinh(math.tan(math.radians(max(-85.0, min(lat, 85.0))))))

    return (east - west) * scale > 8192 or (mercator(north) - mercator(south)) * scale > 8192


@pytest.mark.parametrize("path", ["/monitoring/coverage", "/monitoring/gaps", "/monitoring/reach"])
def test_unpublished_figures_answer_the_documented_404(app_under_test, path):
    """With KBM_PUBLIC_FIGURES off, the monitoring answers 404 with the documented error body."""
    app_under_test.config["PUBLIC_FIGURES"] = False
    try:
        query = "?kind=kita" if path.endswith("reach") else ""
        response = app_under_test.test_client().get(f"/api/v1{path}{query}")
    finally:
        app_under_test.config["PUBLIC_FIGURES"] = True
    assert response.status_code == 404
    schema[path]["GET"].validate_response(response)


def test_other_methods_answer_405_with_allow(app_under_test):
    """A POST to a read-only path answers 405, names the allowed methods and is documented."""
    response = app_under_test.test_client().post("/api/v1/search")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert response.get_json()["error"]["status"] == 405
    assert "Allow" in schema["/search"]["GET"].definition.raw["responses"]["405"]["headers"]
