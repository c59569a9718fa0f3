"""issue 15 (plans published in advance, enterprise side)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0029_public_plans
Revises: 0028_phone_storage
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0029_public_plans'
down_revision = '0028_phone_storage'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
