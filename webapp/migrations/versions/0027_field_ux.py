"""issue 16 (the first-time inspector's walk)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0027_field_ux
Revises: 0026_queue
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0027_field_ux'
down_revision = '0026_queue'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
