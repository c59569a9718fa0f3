"""issue 12 (jurisdiction scope everywhere)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0023_scope
Revises: 0022_trust
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0023_scope'
down_revision = '0022_trust'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
