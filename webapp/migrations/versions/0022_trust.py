"""issues 10 and 11 (what is left of trust and provable publicity)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0022_trust
Revises: 0021_field
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0022_trust'
down_revision = '0021_field'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
