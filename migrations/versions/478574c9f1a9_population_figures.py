"""population figures: inhabitants per region, reference date and age group

Revision ID: 478574c9f1a9
Revises: f6e0806860d3
Create Date: 2026-12-03 12:31:00.815738

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))
import geoalchemy2  # noqa: F401
from geoalchemy2 import Geometry  # noqa: F401
from sqlalchemy.dialects import postgresql  # noqa: F401


# revision identifiers, used by Alembic.
revision = '478574c9f1a9'
down_revision = 'f6e0806860d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('population_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('reference_date', sa.Date(), nullable=False),
    sa.Column('age_group', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('estimated', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=False),
    sa.Column('publisher', sa.String(length=255), nullable=True),
    sa.Column('licence', sa.String(length=64), nullable=True),
    sa.Column('attribution', sa.String(length=255), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_figures')),
    sa.UniqueConstraint('source', 'reference_date', 'code', 'age_group', name=op.f('uq_population_figures_source'))
    )
    with op.batch_alter_table('population_figures', schema=None) as batch_op:
        batch_op.create_index('ix_population_figures_code_date', ['code', 'reference_date'], unique=False)



def downgrade():
    with op.batch_alter_table('population_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_population_figures_code_date')

    op.drop_table('population_figures')
