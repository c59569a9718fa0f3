"""issue 13 (indexes for a province's size)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0018_indexes
Revises: 0017_jobs
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0018_indexes'
down_revision = '0017_jobs'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
