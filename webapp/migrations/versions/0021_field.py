"""issue 16 (field app)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0021_field
Revises: 0020_enterprise_side
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0021_field'
down_revision = '0020_enterprise_side'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
