"""issue 12 §3–5 (annual plans, time limits, item catalogue, visit cap)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0016_annual_programme
Revises: 0015_jurisdictions
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0016_annual_programme'
down_revision = '0015_jurisdictions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
