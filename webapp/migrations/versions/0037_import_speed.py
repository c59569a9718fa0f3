"""issue 13 (the directory import at a province's size): an import batch keeps its preview's summaries
(`import_batches.views`: rows noted, rows per other jurisdiction, the status changes), computed once when the file
is read, so that the preview page of a 1,000,000-row batch does not scan it on every view.

Revision ID: 0037_import_speed
Revises: 0035_eligibility_index
"""
import sqlalchemy as sa
from alembic import op

revision = '0037_import_speed'
down_revision = '0035_eligibility_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("views", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("views")
