"""Ids no database can hold are a 404 on every route; next= never leaves the staff area."""

from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter

from kbm_map.routing import DatabaseIdConverter

from .conftest import PASSWORD

TOO_LARGE = (2**63, 2**70)


def routes_with_int_ids(app) -> list:
    """Return the URL rules that take at least one `<int:…>` part."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, DatabaseIdConverter) for c in rule._converters.values())
    ]


def url_with_id(app, rule, number: int) -> str:
    """Build the rule's URL with `number` for every int part and a valid value elsewhere."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, DatabaseIdConverter):
            values[name] = number
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif name == "lang":
            values[name] = "de"
        else:
            values[name] = "lernorte"
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=sorted(rule.methods - {"HEAD"})[0])


def test_all_int_id_routes_are_covered(app):
    rules = routes_with_int_ids(app)
    assert len(rules) >= 18, [r.rule for r in rules]
    assert all(r.rule.startswith(("/admin", "/api", "/<lang", "/sitemap")) for r in rules)


@pytest.mark.parametrize("number", TOO_LARGE)
def test_ids_beyond_the_database_range_are_not_found(app, admin_client, forms, number):
    checked = 0
    for rule in routes_with_int_ids(app):
        url = url_with_id(app, rule, number)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            post = method != "GET"
            response = forms.post(admin_client, url) if post else admin_client.get(url)
            assert response.status_code == 404, (method, url, response.status_code)
            assert "Traceback" not in response.get_data(as_text=True)
            checked += 1
    assert checked >= 18


def test_the_largest_id_is_still_matched(app):
    adapter = app.url_map.bind("localhost")
    endpoint, values = adapter.match(f"/api/v1/locations/{2**63 - 1}")
    assert values["entity_id"] == 2**63 - 1


@pytest.mark.parametrize(
    "target",
    [
        "/admin/\r\nSet-Cookie: x=1",
        "/admin\r\n",
        "/admin/%0d%0aX: y",
        "//evil.example",
        "//evil.example/admin/",
        "https://evil.example/admin/",
        "javascript:alert(1)",
        "/administrator",
        "/admin\\..\\evil",
    ],
)
def test_next_after_sign_in_never_leaves_the_staff_area(client, admin_user, forms, target):
    token = forms.token(client)
    response = client.post(
        "/admin/anmelden",
        query_string={"next": target},
        data={"csrf_token": token, "email": admin_user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    if target == "/admin/%0d%0aX: y":  # stays encoded: a path inside the staff area
        assert location.startswith("/admin/") and "\n" not in location
    else:
        assert location == "/admin/"


def test_next_inside_the_staff_area_is_followed(client, admin_user, forms):
    token = forms.token(client)
    response = client.post(
        "/admin/anmelden?next=/admin/lernorte?status=draft",
        data={"csrf_token": token, "email": admin_user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/admin/lernorte?status=draft"
