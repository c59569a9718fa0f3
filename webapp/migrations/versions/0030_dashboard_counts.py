"""reserved for issue 13-dashboard (empty until used)

Revision ID: 0030_dashboard_counts
Revises: 0029_public_plans
"""
from alembic import op
import sqlalchemy as sa


revision = '0030_dashboard_counts'
down_revision = '0029_public_plans'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
