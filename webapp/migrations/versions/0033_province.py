"""reserved for issue 12-province (empty until used)

Revision ID: 0033_province
Revises: 0032_sync_path
"""
from alembic import op
import sqlalchemy as sa


revision = '0033_province'
down_revision = '0032_sync_path'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
