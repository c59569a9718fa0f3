"""issue 14 (API tokens, webhooks)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0019_open_api
Revises: 0018_indexes
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0019_open_api'
down_revision = '0018_indexes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
