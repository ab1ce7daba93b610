"""Schema migrations and database checks on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from kbm_map.db import check_connection, include_object, schema_is_current, upgrade_schema
from kbm_map.extensions import db


def test_migrations_create_every_table_of_the_model(app_ctx):
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert schema_is_current()


def test_models_and_migrations_agree(app_ctx):
    """Autogenerate finds nothing to do: no missing migration, no SpatiaLite tables dropped."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_twice_is_harmless(app_ctx):
    upgrade_schema()
    assert schema_is_current()


def test_spatial_index_tables_exist(app_ctx):
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            indexed = (
                conn.execute(
                    text(
                        "SELECT f_table_name FROM geometry_columns WHERE spatial_index_enabled = 1"
                    )
                )
                .scalars()
                .all()
            )
        assert set(indexed) == {"locations", "regions"}
    else:
        names = {i["name"] for i in inspect(db.engine).get_indexes("locations")}
        assert "idx_locations_geom" in names


def test_check_connection_names_the_backend(app_ctx):
    expected = "SpatiaLite" if db.engine.dialect.name == "sqlite" else "PostGIS"
    assert check_connection().startswith(expected)


def test_postgresql_without_postgis_is_explained(postgis_url):
    """A PostgreSQL database without the extension gives one clear sentence.

    The SpatiaLite counterpart (missing mod_spatialite) is in test_config.py.
    """
    import psycopg
    from sqlalchemy.engine import make_url

    from kbm_map import create_app
    from kbm_map.errors import DatabaseSetupError

    url = make_url(postgis_url)
    params = dict(host=url.host, port=url.port or 5432, user=url.username, password=url.password)
    with psycopg.connect(dbname=url.database, autocommit=True, **params) as conn:
        conn.execute("DROP DATABASE IF EXISTS kbm_test_no_postgis")
        conn.execute("CREATE DATABASE kbm_test_no_postgis")
    try:
        bare = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url.set(database="kbm_test_no_postgis").render_as_string(
                    hide_password=False
                )
            }
        )
        with (
            bare.app_context(),
            pytest.raises(DatabaseSetupError, match="has no PostGIS extension"),
        ):
            check_connection()
        with bare.app_context():
            db.engine.dispose()
    finally:
        with psycopg.connect(dbname=url.database, autocommit=True, **params) as conn:
            conn.execute("DROP DATABASE IF EXISTS kbm_test_no_postgis")


def test_existing_accounts_get_their_own_session_token(app_ctx):
    """Migration 3e8b5f1a7c20 gives every account already there a different random token."""
    from flask_migrate import downgrade

    from kbm_map.db import MIGRATIONS_DIR

    db.session.remove()
    downgrade(directory=MIGRATIONS_DIR, revision="9d3a6c2e5b71")
    with db.engine.begin() as conn:
        for email in ("a@example.org", "b@example.org"):
            conn.execute(
                text(
                    "INSERT INTO users (email, name, password_hash, role, active, failed_logins,"
                    " created_at, updated_at) VALUES (:e, :e, 'x', 'editor', true, 0,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"e": email},
            )
    upgrade_schema()
    with db.engine.connect() as conn:
        tokens = conn.execute(text("SELECT session_token FROM users")).scalars().all()
    assert len(tokens) == 2 and len(set(tokens)) == 2
    assert all(len(token) >= 40 for token in tokens)
    assert "login_throttles" in inspect(db.engine).get_table_names()
