"""import fingerprints: refresh skips rows whose record and context are unchanged

Revision ID: f6e0806860d3
Revises: 482397fc6151
Create Date: 2026-11-21 15:24:38.865870

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))
import geoalchemy2  # noqa: F401
from geoalchemy2 import Geometry  # noqa: F401
from sqlalchemy.dialects import postgresql  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'f6e0806860d3'
down_revision = '482397fc6151'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE: a batch copy would drop SpatiaLite's geometry registration.
    op.add_column('locations', sa.Column('import_fingerprint', sa.String(length=32), nullable=True))
    op.add_column('offers', sa.Column('import_fingerprint', sa.String(length=32), nullable=True))
    op.add_column('sources', sa.Column('context_fingerprint', sa.String(length=64), nullable=True))
    op.add_column('sources', sa.Column('fingerprinted_at', sa.DateTime(), nullable=True))


def downgrade():
    # DROP COLUMN needs SQLite 3.35; a batch copy would drop the geometry registration.
    op.drop_column('sources', 'fingerprinted_at')
    op.drop_column('sources', 'context_fingerprint')
    op.drop_column('offers', 'import_fingerprint')
    op.drop_column('locations', 'import_fingerprint')
