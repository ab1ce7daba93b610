"""user session token: a random value in every session cookie, changed on logout

Revision ID: 3e8b5f1a7c20
Revises: 9d3a6c2e5b71
Create Date: 2026-12-03 17:35:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e8b5f1a7c20'
down_revision = '9d3a6c2e5b71'
branch_labels = None
depends_on = None


def upgrade():
    """Add users.session_token and give each existing account its own random value."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    """Drop users.session_token (sessions then follow the password hash again)."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
