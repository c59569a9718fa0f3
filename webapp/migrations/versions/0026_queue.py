"""issue 17 (work through the queue: derivatives, bundles, exports)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0026_queue
Revises: 0025_webhooks
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0026_queue'
down_revision = '0025_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
