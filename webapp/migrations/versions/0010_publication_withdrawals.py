"""publication_withdrawals: 撤回公示, with the reason shown on the record's public verification page

Revision ID: 0010_publication_withdrawals
Revises: 0009_credential_checks
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_publication_withdrawals'
down_revision = '0009_credential_checks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "publication_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_publication_withdrawals_by_id_users")),
        sa.ForeignKeyConstraint(["record_id"], ["inspection_records.id"],
                                name=op.f("fk_publication_withdrawals_record_id_inspection_records"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_withdrawals")),
    )
    with op.batch_alter_table("publication_withdrawals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publication_withdrawals_record_id"), ["record_id"], unique=False)


def downgrade():
    op.drop_table("publication_withdrawals")
