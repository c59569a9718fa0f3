"""reserved slot (list_indexes); filled by the stream that needs it, deleted if unused

Revision ID: 0032_list_indexes
Revises: 0031_draw_results
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0032_list_indexes'
down_revision = '0031_draw_results'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
