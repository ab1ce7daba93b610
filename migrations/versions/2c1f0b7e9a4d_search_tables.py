"""search tables of the postgres search backend (PostgreSQL only; pg_trgm)

Revision ID: 2c1f0b7e9a4d
Revises: b7e41c2d9a10
Create Date: 2026-12-03 14:00:00.000000

The tables hold derived data (the search index), so a later change of their layout drops
and recreates them and `kbm-map reindex` fills them again: this migration uses the DDL of
kbm_map/search/pg/schema.py. SQLite installs use the Whoosh backend: nothing to do there.
"""
from alembic import op

from kbm_map.errors import DatabaseSetupError
from kbm_map.search.pg.schema import TRIGRAM_HINT, create_tables, drop_tables, has_trigram_extension


# revision identifiers, used by Alembic.
revision = '2c1f0b7e9a4d'
down_revision = 'b7e41c2d9a10'
branch_labels = None
depends_on = None


def _cursor():
    """Return a DBAPI cursor in the migration's transaction."""
    return op.get_bind().connection.cursor()


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    cursor = _cursor()
    if not has_trigram_extension(cursor):
        # pg_trgm is a trusted extension: the database owner may create it. A savepoint
        # keeps the migration's transaction usable for the clear message below.
        cursor.execute("SAVEPOINT kbm_trgm")
        try:
            cursor.execute("CREATE EXTENSION pg_trgm")
        except Exception as exc:  # psycopg's InsufficientPrivilege, FeatureNotSupported, …
            cursor.execute("ROLLBACK TO SAVEPOINT kbm_trgm")
            detail = str(exc).strip().splitlines()[0]
            raise DatabaseSetupError(TRIGRAM_HINT.format(detail=detail)) from None
        cursor.execute("RELEASE SAVEPOINT kbm_trgm")
    create_tables(cursor)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    drop_tables(_cursor())
