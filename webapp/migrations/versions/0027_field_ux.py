"""issue 16 (the first-time inspector's walk): a 补充说明 can carry photos (补拍照片), amendments.photos.

Revision ID: 0027_field_ux
Revises: 0026_queue
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0027_field_ux'
down_revision = '0026_queue'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("amendments") as batch_op:
        batch_op.add_column(sa.Column("photos", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("amendments") as batch_op:
        batch_op.drop_column("photos")
