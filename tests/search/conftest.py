"""Fixtures for the search engines: a fresh index on each backend and German documents.

Every test that takes `search_index` (or `indexed`) runs on Whoosh and on PostgreSQL. The
PostgreSQL index lives in a schema of its own in the PostGIS test database (created once
per run); each test writes inside a transaction that is rolled back afterwards, which the
backend's transactional writes make a complete clean-up.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator

import pytest

# Whoosh 2.7.4 (pinned: unmaintained) has invalid escape sequences and an `is` comparison
# with a literal; Python reports them when it compiles the modules (first import without
# .pyc files). Import everything the search package uses once under a filter limited to
# those two warnings and to Whoosh's own files, so that `-W error` still applies elsewhere.
with warnings.catch_warnings():
    # Compile-time warnings carry the file path as module name, hence ".*whoosh".
    warnings.filterwarnings("ignore", "invalid escape sequence", DeprecationWarning, ".*whoosh")
    warnings.filterwarnings("ignore", '"is" with a literal', SyntaxWarning, ".*whoosh")
    import whoosh.analysis  # noqa: F401
    import whoosh.codec.whoosh3  # noqa: F401
    import whoosh.highlight  # noqa: F401
    import whoosh.lang.snowball.german  # noqa: F401
    import whoosh.multiproc  # noqa: F401

from search_documents import Doc, make_doc  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from kbm_map.finding.filters import LAYOUT  # noqa: E402
from kbm_map.search import SearchBackend, WhooshBackend  # noqa: E402
from kbm_map.search.pg.schema import create_tables  # noqa: E402
from kbm_map.search.postgres import PostgresBackend  # noqa: E402


@pytest.fixture
def doc() -> Callable[..., Doc]:
    """Return the document factory."""
    return make_doc


def schema_url(postgis_url: str, schema: str) -> str:
    """Return the URL of the test database with schema first on the search path."""
    url = make_url(postgis_url).update_query_dict({"options": f"-csearch_path={schema},public"})
    return url.render_as_string(hide_password=False)


def make_search_schema(postgis_url: str, schema: str) -> Engine:
    """Create a schema with the search tables; return an engine using it."""
    admin = create_engine(postgis_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    admin.dispose()
    engine = create_engine(schema_url(postgis_url, schema))
    with engine.begin() as conn:
        create_tables(conn.connection.cursor())
    return engine


def drop_search_schema(engine: Engine, schema: str) -> None:
    """Drop a schema made by make_search_schema and close the engine's connections."""
    engine.dispose()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    engine.dispose()


@pytest.fixture(scope="session")
def search_database(postgis_url) -> Iterator[Engine]:  # noqa: ANN001
    """Yield an engine on a schema with empty search tables, dropped after the run."""
    schema = f"kbm_search_test_{os.getpid()}"
    engine = make_search_schema(postgis_url, schema)
    yield engine
    drop_search_schema(engine, schema)


@pytest.fixture
def pg_session(search_database: Engine) -> Iterator[Session]:
    """Yield a session in a transaction that is rolled back after the test."""
    connection = search_database.connect()
    transaction = connection.begin()
    session = Session(bind=connection)
    yield session
    session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture(params=["whoosh", "postgres"])
def search_index(request, tmp_path) -> Iterator[SearchBackend]:  # noqa: ANN001
    """Return an empty index: Whoosh in a temporary directory, or PostgreSQL."""
    if request.param == "whoosh":
        index = WhooshBackend(tmp_path / "search", LAYOUT, writer_timeout=10)
    else:
        session = request.getfixturevalue("pg_session")
        index = PostgresBackend(LAYOUT, session=lambda: session, writer_timeout=10)
    yield index
    index.close()


@pytest.fixture
def whoosh_index(tmp_path) -> Iterator[WhooshBackend]:  # noqa: ANN001
    """Return an empty Whoosh index in a temporary directory."""
    index = WhooshBackend(tmp_path / "search", LAYOUT, writer_timeout=10)
    yield index
    index.close()


@pytest.fixture
def indexed(search_index: SearchBackend) -> Callable[..., SearchBackend]:
    """Return a function that indexes documents and returns the index."""

    def index_docs(*docs: Doc) -> SearchBackend:
        search_index.index(docs)
        return search_index

    return index_docs
