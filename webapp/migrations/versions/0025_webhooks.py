"""issue 14 (webhook subscriptions, deliveries and retries)

The retry sweep's index: the deliveries waiting (status) whose next attempt is due (next_attempt_at).

Revision ID: 0025_webhooks
Revises: 0022_trust
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0025_webhooks'
down_revision = '0022_trust'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_due")
