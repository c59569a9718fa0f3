"""reserved slot (dashboard_counts); filled by the stream that needs it, deleted if unused

Revision ID: 0030_dashboard_counts
Revises: 0029_public_plans
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0030_dashboard_counts'
down_revision = '0029_public_plans'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
