"""review: decisions on records, amendments (补充说明), inspectors' feedback (信息反馈)

Revision ID: 0005_review
Revises: 0001_foundation
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_review"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_review_events_by_id_users")),
        sa.ForeignKeyConstraint(["record_id"], ["inspection_records.id"], ondelete="CASCADE",
                                name=op.f("fk_review_events_record_id_inspection_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_events")),
    )
    op.create_index(op.f("ix_review_events_record_id"), "review_events", ["record_id"], unique=False)

    op.create_table(
        "amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_amendments_by_id_users")),
        sa.ForeignKeyConstraint(["record_id"], ["inspection_records.id"], ondelete="CASCADE",
                                name=op.f("fk_amendments_record_id_inspection_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendments")),
        sa.UniqueConstraint("client_id", name=op.f("uq_amendments_client_id")),
    )
    op.create_index(op.f("ix_amendments_record_id"), "amendments", ["record_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("highlights", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE", name=op.f("fk_feedback_plan_id_plans")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_feedback_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index(op.f("ix_feedback_plan_id"), "feedback", ["plan_id"], unique=False)
    op.create_index(op.f("ix_feedback_user_id"), "feedback", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_feedback_user_id"), table_name="feedback")
    op.drop_index(op.f("ix_feedback_plan_id"), table_name="feedback")
    op.drop_table("feedback")
    op.drop_index(op.f("ix_amendments_record_id"), table_name="amendments")
    op.drop_table("amendments")
    op.drop_index(op.f("ix_review_events_record_id"), table_name="review_events")
    op.drop_table("review_events")
