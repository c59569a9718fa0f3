"""issue 13 (indexes for a province's size): trigram name search and USCC prefix search on PostgreSQL, keyset
paging of the directory by risk level.

Revision ID: 0018_indexes
Revises: 0017_jobs
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401


revision = '0018_indexes'
down_revision = '0017_jobs'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # On SQLite the dialect options fall away: plain indexes on name and uscc.
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entities_name_trgm"), ["name"], unique=False,
                              postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"})
        batch_op.create_index(batch_op.f("ix_entities_uscc_prefix"), ["uscc"], unique=False,
                              postgresql_ops={"uscc": "text_pattern_ops"})
        batch_op.create_index(batch_op.f("ix_entities_risk_level_id"), ["risk_level", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entities_risk_level_id"))
        batch_op.drop_index(batch_op.f("ix_entities_uscc_prefix"))
        batch_op.drop_index(batch_op.f("ix_entities_name_trgm"))
