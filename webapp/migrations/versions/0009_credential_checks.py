"""credential_checks: public assignment checks on credential pages, to rate-limit them

Revision ID: 0009_credential_checks
Revises: 0008_draw_lz4
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_credential_checks'
down_revision = '0008_draw_lz4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credential_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["inspector_credentials.id"],
                                name=op.f("fk_credential_checks_credential_id_inspector_credentials"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_checks")),
    )
    with op.batch_alter_table("credential_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_checks_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_credential_checks_credential_id"), ["credential_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credential_checks_ip"), ["ip"], unique=False)


def downgrade():
    op.drop_table("credential_checks")
