"""reserved slot (import_jobs); filled by the stream that needs it, deleted if unused

Revision ID: 0033_import_jobs
Revises: 0032_list_indexes
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0033_import_jobs'
down_revision = '0032_list_indexes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
