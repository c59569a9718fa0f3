"""issue 13 (a province's size)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0030_perf
Revises: 0029_public_plans
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0030_perf'
down_revision = '0029_public_plans'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
