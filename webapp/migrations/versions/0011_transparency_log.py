"""transparency log: leaves, complete-subtree hashes and signed tree heads, append-only

Revision ID: 0011_transparency_log
Revises: 0010_publication_withdrawals
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_transparency_log'
down_revision = '0010_publication_withdrawals'
branch_labels = None
depends_on = None

TABLES = ("log_leaves", "log_nodes", "log_heads")


def upgrade():
    op.create_table(
        "log_leaves",
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("index", name=op.f("pk_log_leaves")),
    )
    with op.batch_alter_table("log_leaves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_leaves_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_log_leaves_ref"), ["ref"], unique=False)
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "index", name=op.f("pk_log_nodes")),
    )
    op.create_table(
        "log_heads",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_log_heads")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Append-only: no UPDATE or DELETE, whoever asks (TRUNCATE, which drops the whole log, stays an operator's act).
        op.execute("""
            CREATE OR REPLACE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the transparency log is append-only (% on %)', TG_OP, TG_TABLE_NAME; END $$""")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION log_append_only()")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS log_append_only()")
    for table in reversed(TABLES):
        op.drop_table(table)
