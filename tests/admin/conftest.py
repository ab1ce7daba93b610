"""Staff-area fixtures: accounts, signed-in clients, CSRF tokens, sample entries."""

from __future__ import annotations

import re

import pytest

PASSWORD = "ein-langes-passwort-42"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@pytest.fixture()
def app_ctx(app):
    """Like tests/conftest.py's app_ctx, but empty PostgreSQL with DELETE instead of TRUNCATE.

    TRUNCATE of eighteen tables takes 0.44 s on PostGIS, DELETE of the few test rows 0.01 s;
    this folder has over a hundred tests.
    """
    from sqlalchemy import text

    from kbm_map.extensions import db
    from kbm_map.services.indexing import search_index
    from kbm_map.services.taxonomy import seed_terms

    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            if conn.dialect.name == "postgresql":  # ids start at 1 again, as after TRUNCATE
                conn.execute(text(f"SELECT {', '.join(_sequence_resets(db))}"))
        seed_terms()
        search_index().rebuild([])  # the index outlives the rows: empty it too
        yield app
        db.session.rollback()
        db.session.remove()


def _sequence_resets(db) -> list[str]:
    """Return setval() calls that restart the id sequence of every table with one."""
    return [
        f"setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)"
        for table in db.metadata.sorted_tables
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement is not False
    ]


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


def _browser_fixtures():
    """Load the Chromium fixtures of tests/browser (live_server, browser, page) for this folder."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "browser" / "conftest.py"
    spec = importlib.util.spec_from_file_location("kbm_admin_browser_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BROWSER = _browser_fixtures()
AXE = _BROWSER.AXE


@pytest.fixture(scope="package")
def browser():
    """Start Chromium for this folder and stop it before tests/browser starts its own.

    Playwright's sync API allows one running instance per thread, so a second session-scoped
    browser would break tests/browser; see tests/browser/conftest.py for the flags.
    """
    import os
    import shutil

    if not shutil.which(_BROWSER.CHROMIUM):
        message = f"Chromium not found at {_BROWSER.CHROMIUM}; `make test` installs it"
        if os.environ.get("KBM_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=_BROWSER.CHROMIUM, args=_BROWSER.CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


page = _BROWSER.page


def buffered(app):
    """Wrap a WSGI app so that each response is read (and its file closed) before sending.

    Chromium drops requests for images and icons when a test moves on; Werkzeug's development
    server then skips closing the response, and the open static file surfaces as a
    ResourceWarning (an error here) in whatever test runs next.
    """

    def application(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return application


@pytest.fixture()
def live_server(app_ctx):
    """Serve the app on a free port of 127.0.0.1 (stops within 50 ms, not 0.5 s, afterwards)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, buffered(app_ctx), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def axe_violations(recording) -> list[dict]:
    """Run axe-core on a staff page; its CSP forbids injected script tags, so evaluate the code."""
    page = recording.page
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)
            }));
        }"""
    )


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
