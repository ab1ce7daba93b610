"""Database engine set-up for SpatiaLite and PostGIS, and the database CLI helpers."""

from __future__ import annotations

from pathlib import Path

# pyproj ships its own PROJ; mod_spatialite links the system's. Loaded in the other order
# (SpatiaLite first), both run their C++ destructors at exit and the process aborts (exit
# 134). This module is imported by create_app() before any database connection is opened.
import pyproj  # noqa: F401
from flask import Flask, current_app
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from .errors import DatabaseSetupError
from .extensions import db, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")
SPATIALITE_HINT = (
    "SpatiaLite could not be loaded ({detail}): install the Debian package "
    "libsqlite3-mod-spatialite (or set KBM_SPATIALITE_LIBRARY to the path of mod_spatialite)."
)


def engine_options(config: dict) -> dict:
    """Return create_engine() options for the configured database."""
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        # This Python cannot load SQLite extensions; sqlean ships an SQLite that can.
        import sqlean

        return {"module": sqlean, "connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 10}}


def init_app(app: Flask) -> None:
    """Bind the database to the app and prepare each new connection for spatial work."""
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            library = app.config["SPATIALITE_LIBRARY"]
            event.listen(engine, "connect", lambda conn, _record: prepare_spatialite(conn, library))
        else:
            event.listen(engine, "first_connect", lambda conn, _record: check_postgis(conn))


def prepare_spatialite(dbapi_conn, library: str) -> None:
    """Load SpatiaLite into a new SQLite connection and set the pragmas we rely on."""
    from geoalchemy2.admin.dialects.sqlite import init_spatialite

    try:
        dbapi_conn.enable_load_extension(True)
        dbapi_conn.load_extension(library)
        dbapi_conn.enable_load_extension(False)
    except Exception as exc:  # the driver's OperationalError, whichever sqlite3 module
        raise DatabaseSetupError(SPATIALITE_HINT.format(detail=str(exc).strip())) from None
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    dbapi_conn.execute("PRAGMA busy_timeout = 30000")
    if dbapi_conn.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        # WAL lets the web server read while an import writes.
        dbapi_conn.execute("PRAGMA journal_mode = WAL")
        dbapi_conn.execute("PRAGMA synchronous = NORMAL")
    init_spatialite(dbapi_conn, transaction=True, init_mode="WGS84")


def check_postgis(dbapi_conn) -> None:
    """Refuse a PostgreSQL database without the PostGIS extension, saying how to add it."""
    cursor = dbapi_conn.cursor()
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    found = cursor.fetchone()
    cursor.close()
    dbapi_conn.rollback()
    if not found:
        raise DatabaseSetupError(
            "The PostgreSQL database has no PostGIS extension: install the Debian package "
            "postgresql-15-postgis-3 and run 'CREATE EXTENSION postgis;' in that database as a "
            "superuser."
        )


def check_connection() -> str:
    """Connect once and return the spatial backend's version, or raise a clear error."""
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                return "SpatiaLite " + conn.execute(text("SELECT spatialite_version()")).scalar()
            return "PostGIS " + conn.execute(text("SELECT postgis_lib_version()")).scalar()
    except DatabaseSetupError:
        raise
    except (OperationalError, DBAPIError) as exc:
        url = db.engine.url.render_as_string(hide_password=True)
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseSetupError(f"Cannot connect to the database {url}: {detail}") from None


def schema_is_current() -> bool:
    """Tell whether the database schema is at the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) == set(script.get_heads())


def upgrade_schema() -> None:
    """Create or migrate the schema to the newest revision."""
    from flask_migrate import upgrade

    check_connection()
    upgrade(directory=MIGRATIONS_DIR)


def include_object(obj, name, obj_type, reflected, compare_to) -> bool:
    """Tell Alembic to leave the spatial extensions' own tables alone (SpatialIndex, KNN, …).

    Autogenerate would otherwise emit drop_table for every reflected table that is not in
    our metadata, which on SpatiaLite includes its virtual tables.
    """
    from geoalchemy2 import alembic_helpers

    if obj_type == "table" and reflected and compare_to is None:
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def table_names() -> list[str]:
    """List the tables in the database (used by health checks and tests)."""
    return inspect(db.engine).get_table_names()
