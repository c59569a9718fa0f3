"""draw_selections, lean for a 10,000,000-entity draw (issue 13): no score column (it is SHA-256(seed || "entity" ||
uscc), recomputed when read) and no primary-key B-tree (on PostgreSQL a BRIN index on (draw_id, rank): the rows of
a draw lie together in rank order, as COPY wrote them). A 4,140,000-row selection then writes about half the WAL
and no per-row index entry; the readers ask by draw and rank range.

Revision ID: 0034_draw_selections_lean
Revises: 0033_office_list_indexes
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0034_draw_selections_lean'
down_revision = '0033_office_list_indexes'
branch_labels = None
depends_on = None

INDEX = "ix_draw_selections_draw_id_rank"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("pk_draw_selections", "draw_selections", type_="primary")
        op.drop_column("draw_selections", "score")
        op.create_index(INDEX, "draw_selections", ["draw_id", "rank"], postgresql_using="brin")
        return
    # SQLite: the table again without the column and the key, its rows copied over
    op.create_table(
        "draw_selections_lean",
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("risk", sa.String(16), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("by", sa.String(8), nullable=False),
    )
    op.execute('INSERT INTO draw_selections_lean (draw_id, rank, risk, uscc, "by") '
               'SELECT draw_id, rank, risk, uscc, "by" FROM draw_selections')
    op.drop_table("draw_selections")
    op.rename_table("draw_selections_lean", "draw_selections")
    op.create_index(INDEX, "draw_selections", ["draw_id", "rank"])


def downgrade():
    bind = op.get_bind()
    op.drop_index(INDEX, "draw_selections")
    op.add_column("draw_selections", sa.Column("score", sa.String(64), nullable=True))
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(
            "UPDATE draw_selections s SET score = encode(sha256(decode(d.seed, 'hex') || 'entity'::bytea "
            "|| convert_to(s.uscc, 'UTF8')), 'hex') FROM draws d WHERE d.id = s.draw_id"))
    else:
        for draw_id, rank, uscc, seed in bind.execute(sa.text(
                "SELECT s.draw_id, s.rank, s.uscc, d.seed FROM draw_selections s JOIN draws d ON d.id = s.draw_id")).all():
            score = hashlib.sha256(bytes.fromhex(seed) + b"entity" + uscc.encode("ascii")).hexdigest()
            bind.execute(sa.text("UPDATE draw_selections SET score = :s WHERE draw_id = :d AND rank = :r"),
                         {"s": score, "d": draw_id, "r": rank})
    with op.batch_alter_table("draw_selections") as batch_op:
        batch_op.alter_column("score", existing_type=sa.String(64), nullable=False)
        batch_op.create_primary_key("pk_draw_selections", ["draw_id", "rank"])
