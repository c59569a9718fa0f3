"""jurisdictions (GB/T 2260: province → city → district); departments and users placed in one

Revision ID: 0015_jurisdictions
Revises: 0013_review_parts
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_jurisdictions'
down_revision = '0013_review_parts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jurisdictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["jurisdictions.id"], name=op.f("fk_jurisdictions_parent_id_jurisdictions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdictions")),
        sa.UniqueConstraint("code", name=op.f("uq_jurisdictions_code")),
    )
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jurisdictions_parent_id"), ["parent_id"], unique=False)
    for table in ("departments", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("jurisdiction_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_jurisdiction_id_jurisdictions"), "jurisdictions",
                                        ["jurisdiction_id"], ["id"])


def downgrade():
    for table in ("users", "departments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_jurisdiction_id_jurisdictions"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_jurisdiction_id"))
            batch_op.drop_column("jurisdiction_id")
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jurisdictions_parent_id"))
    op.drop_table("jurisdictions")
