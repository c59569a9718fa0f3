"""reserved for issue 13-draw (empty until used)

Revision ID: 0031_draw_scale
Revises: 0030_dashboard_counts
"""
from alembic import op
import sqlalchemy as sa


revision = '0031_draw_scale'
down_revision = '0030_dashboard_counts'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
