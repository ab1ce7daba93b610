"""login throttles: back-off per account and client address instead of a lock of the account

Revision ID: a4c7e2d9f513
Revises: 3e8b5f1a7c20
Create Date: 2026-12-03 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c7e2d9f513'
down_revision = '3e8b5f1a7c20'
branch_labels = None
depends_on = None


def upgrade():
    """Create login_throttles and drop the account-wide failure count and lock."""
    op.create_table(
        'login_throttles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(), nullable=False),
        sa.Column('blocked_until', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'address'),
    )
    op.create_index(
        op.f('ix_login_throttles_user_id'), 'login_throttles', ['user_id'], unique=False
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    """Bring back the account-wide columns (empty) and drop login_throttles."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
    op.drop_index(op.f('ix_login_throttles_user_id'), table_name='login_throttles')
    op.drop_table('login_throttles')
