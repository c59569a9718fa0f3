"""publication: inspectors' credential tokens (亮证) and follow-up tasks (后续监管)

Revision ID: 0006_publication
Revises: 0001_foundation
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_publication"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inspector_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspector_profiles.id"],
                                name=op.f("fk_inspector_credentials_inspector_id_inspector_profiles")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"],
                                name=op.f("fk_inspector_credentials_revoked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspector_credentials")),
        sa.UniqueConstraint("token", name=op.f("uq_inspector_credentials_token")),
    )
    with op.batch_alter_table("inspector_credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspector_credentials_inspector_id"), ["inspector_id"], unique=False)

    op.create_table(
        "follow_up_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deadline_provisional", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("evidence_media_id", sa.Integer(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["inspection_records.id"], ondelete="CASCADE",
                                name=op.f("fk_follow_up_tasks_record_id_inspection_records")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_follow_up_tasks_department_id_departments")),
        sa.ForeignKeyConstraint(["evidence_media_id"], ["media.id"],
                                name=op.f("fk_follow_up_tasks_evidence_media_id_media")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"],
                                name=op.f("fk_follow_up_tasks_closed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_tasks")),
        sa.UniqueConstraint("record_id", "department_id", name="uq_follow_up_tasks_pair"),
    )
    with op.batch_alter_table("follow_up_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_tasks_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_tasks_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_tasks_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("follow_up_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_tasks_status"))
        batch_op.drop_index(batch_op.f("ix_follow_up_tasks_department_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_tasks_record_id"))
    op.drop_table("follow_up_tasks")
    with op.batch_alter_table("inspector_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspector_credentials_inspector_id"))
    op.drop_table("inspector_credentials")
