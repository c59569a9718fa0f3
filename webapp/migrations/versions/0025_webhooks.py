"""issue 14 (webhook subscriptions, deliveries and retries)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0025_webhooks
Revises: 0024_imports
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0025_webhooks'
down_revision = '0024_imports'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
