"""issue 13 (every office list at 1,000,000 rows): the review queue's keyset pages by (submitted_at, id), an import
batch's rows by (batch_id, line) whatever their action.

Revision ID: 0033_office_list_indexes
Revises: 0032_list_indexes
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = '0033_office_list_indexes'
down_revision = '0032_list_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inspection_records", schema=None) as batch_op:
        batch_op.create_index("ix_inspection_records_submitted_id", ["submitted_at", "id"], unique=False)
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.create_index("ix_import_rows_batch_line", ["batch_id", "line"], unique=False)


def downgrade():
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_import_rows_batch_line")
    with op.batch_alter_table("inspection_records", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_records_submitted_id")
