"""issue 13 (office lists at 1,000,000 rows): the follow-up list's keyset pages by (deadline, id), per status
and all together.

Revision ID: 0032_list_indexes
Revises: 0031_draw_results
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401


revision = '0032_list_indexes'
down_revision = '0031_draw_results'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("follow_up_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_follow_up_tasks_status_deadline_id", ["status", "deadline", "id"], unique=False)
        batch_op.create_index("ix_follow_up_tasks_deadline_id", ["deadline", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("follow_up_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_tasks_deadline_id")
        batch_op.drop_index("ix_follow_up_tasks_status_deadline_id")
