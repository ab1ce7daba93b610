"""region attribution: the credit line of the outlines' source (shown on maps and reports)

Revision ID: b7e41c2d9a10
Revises: 8fdc5c7fed2f
Create Date: 2026-12-03 14:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e41c2d9a10'
down_revision = '8fdc5c7fed2f'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE: a batch copy would drop SpatiaLite's geometry registration.
    op.add_column('regions', sa.Column('attribution', sa.String(length=255), nullable=True))


def downgrade():
    # DROP COLUMN needs SQLite 3.35; a batch copy would drop the geometry registration.
    op.drop_column('regions', 'attribution')
