"""reserved slot (draw_results); filled by the stream that needs it, deleted if unused

Revision ID: 0031_draw_results
Revises: 0030_dashboard_counts
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0031_draw_results'
down_revision = '0030_dashboard_counts'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
