"""jurisdictions (GB/T 2260: province → city → district); departments, users, entities, plans and import
batches placed in one; department codes and names unique per jurisdiction. Rows that exist already are placed in
130606 莲池区 (under 130600 保定市 under 130000 河北省), the one office the platform served before.

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
    for table in PLACED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("jurisdiction_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_jurisdiction_id_jurisdictions"), "jurisdictions",
                                        ["jurisdiction_id"], ["id"])
    _place_existing_rows()
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_departments_code", type_="unique")
        batch_op.drop_constraint("uq_departments_name", type_="unique")
        batch_op.create_unique_constraint("uq_departments_jurisdiction_code", ["jurisdiction_id", "code"])
        batch_op.create_unique_constraint("uq_departments_jurisdiction_name", ["jurisdiction_id", "name"])


PLACED = ("departments", "users", "entities", "plans", "import_batches", "import_rows")
CHAIN = (("130000", "河北省", "province", None), ("130600", "保定市", "city", "130000"),
         ("130606", "莲池区", "district", "130600"))


def _place_existing_rows():
    """An existing database (one office's) gets the default chain and its rows are placed in 莲池区; a fresh one
    gets nothing (the demo or the office makes its jurisdictions)."""
    conn = op.get_bind()
    if not any(conn.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first()
               for t in ("departments", "users", "entities", "plans", "import_batches")):
        return
    for code, name, level, parent in CHAIN:
        if conn.execute(sa.text("SELECT 1 FROM jurisdictions WHERE code = :c"), {"c": code}).first():
            continue
        parent_id = conn.execute(sa.text("SELECT id FROM jurisdictions WHERE code = :c"), {"c": parent}).scalar()
        conn.execute(sa.text("INSERT INTO jurisdictions (code, name, level, parent_id) VALUES (:c, :n, :l, :p)"),
                     {"c": code, "n": name, "l": level, "p": parent_id})
    home = conn.execute(sa.text("SELECT id FROM jurisdictions WHERE code = '130606'")).scalar()
    for table in PLACED:
        if table != "import_rows":  # a row's own column is only for rows of another office
            conn.execute(sa.text(f"UPDATE {table} SET jurisdiction_id = :j WHERE jurisdiction_id IS NULL"),
                         {"j": home})


def downgrade():
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_departments_jurisdiction_name", type_="unique")
        batch_op.drop_constraint("uq_departments_jurisdiction_code", type_="unique")
        batch_op.create_unique_constraint("uq_departments_name", ["name"])
        batch_op.create_unique_constraint("uq_departments_code", ["code"])
    for table in reversed(PLACED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_jurisdiction_id_jurisdictions"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_jurisdiction_id"))
            batch_op.drop_column("jurisdiction_id")
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jurisdictions_parent_id"))
    op.drop_table("jurisdictions")
