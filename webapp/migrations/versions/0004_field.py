"""field sync: accepted phone submissions (idempotent replay) and the storage key of re-encoded media

Revision ID: 0004_field
Revises: 0001_foundation
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_field"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "field_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("body_digest", sa.String(length=64), nullable=False),
        sa.Column("findings_hash", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["inspection_records.id"], ondelete="CASCADE",
                                name=op.f("fk_field_submissions_record_id_inspection_records")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_field_submissions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_submissions")),
        sa.UniqueConstraint("client_uuid", name=op.f("uq_field_submissions_client_uuid")),
    )
    op.create_index(op.f("ix_field_submissions_record_id"), "field_submissions", ["record_id"], unique=False)
    with op.batch_alter_table("media") as batch:
        batch.add_column(sa.Column("stored_sha", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("media") as batch:
        batch.drop_column("stored_sha")
    op.drop_index(op.f("ix_field_submissions_record_id"), table_name="field_submissions")
    op.drop_table("field_submissions")
