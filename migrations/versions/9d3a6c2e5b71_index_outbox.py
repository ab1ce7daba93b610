"""index outbox: index work committed with the data, done by the next command if interrupted

Revision ID: 9d3a6c2e5b71
Revises: 2c1f0b7e9a4d
Create Date: 2026-12-03 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d3a6c2e5b71'
down_revision = '2c1f0b7e9a4d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'index_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_index_outbox_batch'), 'index_outbox', ['batch'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_index_outbox_batch'), table_name='index_outbox')
    op.drop_table('index_outbox')
