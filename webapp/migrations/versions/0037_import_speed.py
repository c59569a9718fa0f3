"""issue 13 (the directory import at a province's size): an import batch keeps its preview's summaries
(`import_batches.views`: rows noted, rows per other jurisdiction, the status changes), computed once when the file
is read, so that the preview page of a 1,000,000-row batch does not scan it on every view. And less index upkeep
for each row an import writes: `entities` loses its single-column indexes on risk_level and jurisdiction_id (each
leads another index: ix_entities_risk_level_id, ix_entities_eligibility), import rows index their jurisdiction only
where they have one (the rows left for another office).

Revision ID: 0037_import_speed
Revises: 0036_checklist_problems
"""
import sqlalchemy as sa
from alembic import op

revision = '0037_import_speed'
down_revision = '0036_checklist_problems'
branch_labels = None
depends_on = None

_PLACED = sa.text("jurisdiction_id IS NOT NULL")


def upgrade():
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("views", sa.JSON(), nullable=True))
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index("ix_entities_risk_level")
        batch_op.drop_index("ix_entities_jurisdiction_id")
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_import_rows_jurisdiction_id")
        batch_op.create_index("ix_import_rows_jurisdiction_id", ["jurisdiction_id"], unique=False,
                              postgresql_where=_PLACED, sqlite_where=_PLACED)


def downgrade():
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_import_rows_jurisdiction_id")
        batch_op.create_index("ix_import_rows_jurisdiction_id", ["jurisdiction_id"], unique=False)
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index("ix_entities_jurisdiction_id", ["jurisdiction_id"], unique=False)
        batch_op.create_index("ix_entities_risk_level", ["risk_level"], unique=False)
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("views")
