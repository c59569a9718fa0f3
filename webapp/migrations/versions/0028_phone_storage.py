"""issue 16 (weak phones and storage a browser may evict)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0028_phone_storage
Revises: 0027_field_ux
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0028_phone_storage'
down_revision = '0027_field_ux'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
