"""issue 15 (enterprise page, rectification, objections, questions, 举报)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0020_enterprise_side
Revises: 0019_open_api
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0020_enterprise_side'
down_revision = '0019_open_api'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
