"""The PostgreSQL backend's own mechanics: the caller's transaction, other connections, locks."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from conftest import drop_search_schema, make_search_schema, schema_url
from sqlalchemy import create_engine, inspect
from sqlalchemy.orm import Session

from kbm_map.finding.filters import LAYOUT
from kbm_map.search import SearchIndexBusyError, SearchIndexOutdatedError, SearchQuery
from kbm_map.search.pg.schema import TABLES
from kbm_map.search.postgres import PostgresBackend

MIGRATION = Path(__file__).parents[2] / "migrations/versions/2c1f0b7e9a4d_search_tables.py"


def backend(session: Session, **options) -> PostgresBackend:  # noqa: ANN003
    """Return a backend on one session, as an app process has on its db.session."""
    return PostgresBackend(LAYOUT, session=lambda: session, **options)


def ids(index: PostgresBackend, text: str = "") -> list[str]:
    """Return the ids found, in result order."""
    return [hit.id for hit in index.query(SearchQuery(text=text)).hits]


@pytest.fixture
def committed(postgis_url):  # noqa: ANN001, ANN201
    """Return an engine on search tables of their own, for tests that commit."""
    schema = f"kbm_search_commit_{os.getpid()}"
    engine = make_search_schema(postgis_url, schema)
    yield engine
    drop_search_schema(engine, schema)


def test_rolling_back_the_callers_transaction_removes_what_it_indexed(search_database, doc):
    with Session(search_database) as session:
        index = backend(session)
        index.index([doc("offer:1", "Schach"), doc("offer:2", "Yoga")])
        assert ids(index) == ["offer:1", "offer:2"]  # the transaction sees its own writes
        session.rollback()
        assert ids(index) == [] and index.count() == 0


def test_a_committed_write_is_visible_to_another_connection_at_once(committed, doc):
    with Session(committed) as writing, Session(committed) as reading:
        writer, reader = backend(writing), backend(reading)  # two app processes
        writer.index([doc("offer:1", "Schach für Kinder"), doc("offer:2", "Yoga")])
        assert ids(reader) == []  # not committed yet
        reading.rollback()
        writing.commit()
        assert ids(reader, "Schach") == ["offer:1"]
        reading.rollback()  # each request is a transaction of its own
        writer.index([doc("offer:1", "Schach für Eltern"), doc("offer:3", "Tanz")])
        writer.remove(["offer:2"])
        writing.commit()
        result = reader.query(SearchQuery(text="Schach"))
        assert [h.highlights["title"] for h in result.hits] == ["<mark>Schach</mark> für Eltern"]
        assert ids(reader) == ["offer:1", "offer:3"] and reader.count() == 2
        reading.rollback()
        writer.rebuild([doc("offer:4", "Malen")])  # a new generation of the index
        writing.commit()
        assert ids(reader) == ["offer:4"]


def test_a_reader_sees_what_its_own_transaction_writes_and_nothing_after_a_rollback(committed, doc):
    with Session(committed) as session:
        index = backend(session)
        index.index([doc("offer:1", "Schach")])
        session.commit()
        assert ids(index) == ["offer:1"]  # now cached by this process
        session.rollback()
        index.index([doc("offer:2", "Schach Turnier", min_age=99)])  # takes the next seq
        assert ids(index, "Schach") == ["offer:1", "offer:2"]
        assert index.query(SearchQuery(age=5)).total == 1
        session.rollback()
        index.index([doc("offer:3", "Yoga")])  # the same seq, another document
        session.commit()
        assert ids(index, "Schach") == ["offer:1"]
        assert [hit.id for hit in index.query(SearchQuery(age=5)).hits] == ["offer:1", "offer:3"]


def test_a_write_waits_for_another_transactions_write(search_database, doc):
    with Session(search_database) as first, Session(search_database) as second:
        backend(first).index([doc("offer:1", "Schach")])
        impatient = backend(second, writer_timeout=0.2)
        with pytest.raises(SearchIndexBusyError, match="locked by another transaction"):
            impatient.index([doc("offer:2", "Yoga")])
        assert ids(impatient) == []  # reading never waits
        first.rollback()
        impatient.index([doc("offer:2", "Yoga")])
        assert ids(impatient) == ["offer:2"]
        second.rollback()


def test_a_failed_write_leaves_the_transaction_usable(pg_session, doc):
    index = backend(pg_session)
    index.index([doc("offer:1", "Schach")])
    with pytest.raises(ValueError, match="needs an id and a type"):
        index.rebuild([doc("offer:2", "Yoga"), {"id": "offer:3", "type": "course"}])
    assert ids(index) == ["offer:1"]
    index.index([doc("offer:4", "Tanz")])
    assert ids(index) == ["offer:1", "offer:4"]


def test_missing_tables_are_explained(postgis_url):
    schema = f"kbm_search_bare_{os.getpid()}"
    engine = make_search_schema(postgis_url, schema)
    with engine.begin() as conn:
        for table in TABLES:
            conn.exec_driver_sql(f"DROP TABLE {table}")
    try:
        with Session(engine) as session, pytest.raises(SearchIndexOutdatedError, match="init-db"):
            backend(session).query(SearchQuery())
    finally:
        drop_search_schema(engine, schema)


def run_migration(engine, step: str) -> None:  # noqa: ANN001
    """Run the search tables' migration (upgrade or downgrade) on an engine."""
    spec = importlib.util.spec_from_file_location("search_tables_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        getattr(migration, step)()


def test_the_migration_creates_the_tables_on_postgresql(postgis_url, doc):
    schema = f"kbm_search_migrated_{os.getpid()}"
    admin = create_engine(postgis_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    admin.dispose()
    engine = create_engine(schema_url(postgis_url, schema))
    try:
        run_migration(engine, "upgrade")
        assert set(TABLES) <= set(inspect(engine).get_table_names())
        with Session(engine) as session:
            index = backend(session)
            index.index([doc("offer:1", "Schach")])
            assert ids(index, "Schah") == ["offer:1"]  # pg_trgm at work
        run_migration(engine, "downgrade")
        assert not set(TABLES) & set(inspect(engine).get_table_names())
    finally:
        drop_search_schema(engine, schema)


def test_the_migration_does_nothing_on_sqlite(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'kbm.sqlite'}")
    run_migration(engine, "upgrade")
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_an_older_snapshot_finds_what_it_saw_after_the_process_read_newer_ones(committed, doc):
    with Session(committed) as writing, Session(committed) as old, Session(committed) as new:
        backend(writing).index([doc("offer:1", "Schach")])
        writing.commit()
        old.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        current = {"session": old}
        index = PostgresBackend(LAYOUT, session=lambda: current["session"])  # one process
        assert ids(index, "Schach") == ["offer:1"]  # the snapshot is taken
        backend(writing).index([doc("offer:2", "Schach Turnier", min_age=99)])
        writing.commit()
        current["session"] = new
        assert ids(index, "Schach") == ["offer:1", "offer:2"]
        current["session"] = old
        assert ids(index, "Schach") == ["offer:1"]
        assert ids(index) == ["offer:1"] and index.query(SearchQuery(age=5)).total == 1


def test_a_process_orders_new_documents_by_name_as_a_fresh_one(committed, doc):
    names = [f"{a} {b}" for a in ("Yoga", "Malen", "Chor", "Tanz") for b in ("Kurs", "Treff", "")]
    with Session(committed) as writing, Session(committed) as reading:
        writer, reader = backend(writing), backend(reading)
        writer.index([doc(f"offer:{n}", names[n % 7]) for n in range(300)])
        writing.commit()
        name_order = SearchQuery(sort="name", per_page=1000)
        reader.query(name_order)  # ranks the names of the 300
        reading.rollback()
        writer.index([doc(f"offer:{n}", names[n % 11]) for n in range(250, 400)])
        writing.commit()
        fresh = backend(reading)
        assert [h.id for h in reader.query(name_order).hits] == [
            h.id for h in fresh.query(name_order).hits
        ]
