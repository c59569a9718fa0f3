"""issue 13 (the eligibility preview over 1,000,000 entities): one index with every column the plan's rules read,
so that the preview's single pass is an index-only scan in the index's order (stages.plans.eligibility).

An index-only scan reads the heap for every page not marked all-visible, which a page stops being when a row of it
changes: on PostgreSQL the directory is vacuumed after 1% of it changed (an import of 10,000 rows at 1,000,000)
rather than the default 20%, so that the visibility map is fresh again a minute after an import.

Revision ID: 0035_eligibility_index
Revises: 0034_draw_selections_lean
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = '0035_eligibility_index'
down_revision = '0034_draw_selections_lean'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index("ix_entities_eligibility", ["jurisdiction_id", "category", "status", "risk_level",
                                                          "annual_report_years", "registered_on"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE entities SET (autovacuum_vacuum_scale_factor = 0.01, "
                   "autovacuum_vacuum_insert_scale_factor = 0.01)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE entities RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor)")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index("ix_entities_eligibility")
