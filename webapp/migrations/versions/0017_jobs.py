"""issue 17 (background jobs)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0017_jobs
Revises: 0016_annual_programme
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0017_jobs'
down_revision = '0016_annual_programme'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
