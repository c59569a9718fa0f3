"""issues 12 and 14 (imports: jurisdiction placement, annual-report years, status-only files)

Reserved in the chain so that work in parallel does not fork the head; empty until that work fills it.

Revision ID: 0024_imports
Revises: 0023_scope
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0024_imports'
down_revision = '0023_scope'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
