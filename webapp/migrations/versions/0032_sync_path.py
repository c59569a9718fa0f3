"""reserved for issue 17-sync (empty until used)

Revision ID: 0032_sync_path
Revises: 0031_draw_scale
"""
from alembic import op
import sqlalchemy as sa


revision = '0032_sync_path'
down_revision = '0031_draw_scale'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
