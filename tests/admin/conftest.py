"""Staff-area fixtures: accounts, signed-in clients, CSRF tokens, sample entries."""

from __future__ import annotations

import re

import pytest

PASSWORD = "ein-langes-passwort-42"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """Hash test passwords with few rounds: scrypt takes 0.15 s a time, and checks read the
    method from the hash, so signing in works exactly as in production."""
    from werkzeug import security

    from kbm_map.models import user

    def quick(password, method="pbkdf2:sha256:1000", salt_length=16):
        return security.generate_password_hash(password, method=method, salt_length=salt_length)

    monkeypatch.setattr(user, "generate_password_hash", quick)


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Start every test with empty rate-limit counters (the app lives for the whole session)."""
    from kbm_map.extensions import limiter

    with app.app_context():
        limiter.reset()
    yield


@pytest.fixture()
def admin_user(app_ctx):
    """Create an admin account."""
    from kbm_map.services.accounts import create_account

    return create_account(None, "admin@example.org", "Ada Admin", "admin", PASSWORD)


@pytest.fixture()
def editor_user(app_ctx):
    """Create an editor account."""
    from kbm_map.services.accounts import create_account

    return create_account(None, "redaktion@example.org", "Ed Editor", "editor", PASSWORD)


class Forms:
    """Submit forms as a browser does: with the CSRF token of the client's session."""

    @staticmethod
    def token(client, url: str = "/admin/anmelden") -> str:
        """Return a CSRF token of the client's session, read from a form page."""
        html = client.get(url).get_data(as_text=True)
        match = CSRF.search(html)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post(self, client, url: str, data: dict | None = None, token_from: str = "/admin/"):
        """POST form data with a valid CSRF token."""
        return client.post(url, data={"csrf_token": self.token(client, token_from), **(data or {})})

    def sign_in(self, client, email: str, password: str = PASSWORD):
        """Sign in through the login form."""
        data = {"email": email, "password": password}
        return self.post(client, "/admin/anmelden", data, token_from="/admin/anmelden")


@pytest.fixture()
def forms():
    """Return the form helper."""
    return Forms()


@pytest.fixture()
def admin_client(client, admin_user, forms):
    """Return a client signed in as admin."""
    assert forms.sign_in(client, admin_user.email).status_code == 302
    return client


@pytest.fixture()
def editor_client(client, editor_user, forms):
    """Return a client signed in as editor."""
    assert forms.sign_in(client, editor_user.email).status_code == 302
    return client


@pytest.fixture()
def location(app_ctx):
    """Create a published Lernort with a position."""
    from kbm_map.services.locations import create_location

    return create_location(
        {
            "name": "Stadtbibliothek Lindenau",
            "street": "Marktplatz",
            "house_number": "3",
            "postcode": "36037",
            "city": "Fulda",
            "geom": (9.675, 50.551),
            "status": "published",
            "phone": "0661 12345",
        }
    ).entity


@pytest.fixture()
def offer(app_ctx, location):
    """Create a published Angebot at the Lernort."""
    from kbm_map.services.offers import create_offer

    return create_offer(
        {"title": "Lesekreis für Kinder", "locations": [location.id], "status": "published"}
    ).entity


def axe_violations(recording) -> list[dict]:
    """Run axe-core on a staff page (kept as a name for this folder's tests)."""
    return recording.axe_violations()


def sign_in_browser(recording, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login page in Chromium."""
    page = recording.page
    if "/admin/anmelden" not in page.url:
        page.goto(f"{base}/admin/anmelden")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def pytest_collection_modifyitems(config, items):
    """Run this folder's Chromium tests on SpatiaLite only.

    They test the pages and their JavaScript; every flow they drive also runs on both databases
    through the test client (test_admin_*.py), and the folder has to stay under 90 s.
    """
    here = str(config.rootpath / "tests" / "admin" / "test_admin_browser.py")
    dropped = [
        item
        for item in items
        if str(item.path) == here
        and getattr(item, "callspec", None)
        and item.callspec.params.get("database_url") == "postgis"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]
