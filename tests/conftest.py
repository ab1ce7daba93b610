"""Shared fixtures: the app on SpatiaLite and on PostGIS, clients, CLI runner, shared data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("KBM_SHARED_DATA", ROOT.parent / "shared" / "data"))
POSTGIS_URL = os.environ.get(
    "KBM_TEST_POSTGIS_URL", "postgresql+psycopg://kbm:kbm@127.0.0.1:5432/kbm_test"
)
BACKENDS = ("spatialite", "postgis")
# Tests marked search_backends also run on PostGIS with the PostgreSQL search backend.
PG_SEARCH = "postgis-pgsearch"
pytest_plugins = ["tests.browsing"]  # Chromium fixtures: browser, page

# Tests never touch the repository's instance folder.
os.environ["KBM_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="kbm-test-instance-")
os.environ.setdefault("KBM_ENV", "development")


def postgis_unavailable() -> str | None:
    """Return why the PostGIS test database cannot be used, or None if it can."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(POSTGIS_URL)
    try:
        with psycopg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            dbname=url.database,
            connect_timeout=3,
        ) as conn:
            if not conn.execute("SELECT 1 FROM pg_extension WHERE extname='postgis'").fetchone():
                return f"database {url.database} has no PostGIS extension"
    except psycopg.OperationalError as exc:
        return str(exc).strip().splitlines()[0]
    return None


def pytest_generate_tests(metafunc):
    """Run every database test on both databases, search tests also on the postgres backend."""
    if "database_url" in metafunc.fixturenames:
        variants = list(BACKENDS)
        if metafunc.definition.get_closest_marker("search_backends"):
            variants.append(PG_SEARCH)
        metafunc.parametrize("database_url", variants, indirect=True, scope="session")


class DatabaseUrl(str):
    """A test database URL that also names the search backend to use with it."""

    search_backend = "whoosh"


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory) -> str:
    """Yield the URL of an empty test database, once per backend."""
    if request.param == "spatialite":
        return DatabaseUrl(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}")
    url = DatabaseUrl(request.getfixturevalue("postgis_schema_url"))
    if request.param == PG_SEARCH:
        url.search_backend = "postgres"
    return url


@pytest.fixture(scope="session")
def postgis_schema_url(postgis_url):
    """Yield a URL whose tables live in a schema of their own, dropped afterwards.

    Concurrent test runs against the same database (two developers, CI) cannot disturb
    each other; PostGIS itself stays in the public schema.
    """
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"kbm_test_{os.getpid()}"
    url = make_url(postgis_url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    yield url.update_query_dict({"options": f"-csearch_path={schema},public"}).render_as_string(
        hide_password=False
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="session")
def postgis_url() -> str:
    """Return the PostGIS test database URL; skip (or fail under `make test`) if unusable."""
    problem = postgis_unavailable()
    if problem:
        message = (
            f"PostGIS test database not usable ({problem}); `make test` sets it up, "
            "or point KBM_TEST_POSTGIS_URL at one"
        )
        if os.environ.get("KBM_REQUIRE_POSTGIS"):
            pytest.fail(message)
        pytest.skip(message)
    return POSTGIS_URL


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """Return an app with a freshly migrated schema on the backend under test."""
    from kbm_map import create_app
    from kbm_map.db import upgrade_schema
    from kbm_map.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "KBM_ENV": "development",
            "TESTING": True,
            "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("index")),
            "SEARCH_BACKEND": getattr(database_url, "search_backend", "whoosh"),
        }
    )
    with app.app_context():
        upgrade_schema()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def app_ctx(app):
    """Run the test inside an app context on an emptied database with the taxonomy seeded."""
    from kbm_map.extensions import db, limiter
    from kbm_map.finding import search_backend
    from kbm_map.services.taxonomy import seed_terms

    with app.app_context():
        limiter.reset()  # the app lives for the whole session: start with empty counters
        empty_tables(db)
        seed_terms()
        search_backend().rebuild([])  # the index outlives the rows: empty it too
        db.session.commit()  # the postgres backend writes in the session
        yield app
        db.session.rollback()
        db.session.remove()


def empty_tables(db) -> None:
    """Delete every row from kbm-map's tables and restart the id sequences.

    DELETE of the few rows a test writes takes 0.01 s on PostGIS; TRUNCATE of all tables 0.4 s.
    """
    from sqlalchemy import text

    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":  # ids start at 1 again, as after TRUNCATE
            resets = [
                f"setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)"
                for table in db.metadata.sorted_tables
                if "id" in table.c and table.c.id.primary_key
            ]
            conn.execute(text(f"SELECT {', '.join(resets)}"))


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
    """Serve the app under test on a free port of 127.0.0.1 for the duration of a test."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, buffered(app_ctx), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture()
def client(app_ctx):
    """Return a test client for the app under test."""
    return app_ctx.test_client()


@pytest.fixture()
def runner(app_ctx):
    """Return a CLI runner for the app under test."""
    return app_ctx.test_cli_runner()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return the folder of real open-data files, or skip where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real open-data files not found at {SHARED_DATA} (set KBM_SHARED_DATA)")
    return SHARED_DATA
