"""issue 12 §3–5: annual plans (年度抽查计划) and their tasks, time limits and the visit cap per jurisdiction,
the versioned item catalogue (抽查事项清单)

Revision ID: 0016_annual_programme
Revises: 0015_jurisdictions
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0016_annual_programme'
down_revision = '0015_jurisdictions'
branch_labels = None
depends_on = None


CATALOGUE = ("check_items", "plan_items")


def upgrade():
    op.create_table(
        "annual_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("doc_number", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("planned_tasks", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("filed_to_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_annual_plans_created_by_id_users")),
        sa.ForeignKeyConstraint(["filed_by_id"], ["users.id"], name=op.f("fk_annual_plans_filed_by_id_users")),
        sa.ForeignKeyConstraint(["filed_to_id"], ["jurisdictions.id"],
                                name=op.f("fk_annual_plans_filed_to_id_jurisdictions")),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"],
                                name=op.f("fk_annual_plans_jurisdiction_id_jurisdictions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_plans")),
        sa.UniqueConstraint("jurisdiction_id", "doc_number", name="uq_annual_plans_doc"),
    )
    with op.batch_alter_table("annual_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annual_plans_jurisdiction_id"), ["jurisdiction_id"], unique=False)

    op.create_table(
        "annual_plan_departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("annual_plan_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["annual_plan_id"], ["annual_plans.id"], ondelete="CASCADE",
                                name=op.f("fk_annual_plan_departments_annual_plan_id_annual_plans")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_annual_plan_departments_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_plan_departments")),
        sa.UniqueConstraint("annual_plan_id", "department_id", name="uq_annual_plan_departments_pair"),
    )
    with op.batch_alter_table("annual_plan_departments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annual_plan_departments_annual_plan_id"), ["annual_plan_id"],
                              unique=False)

    op.create_table(
        "jurisdiction_limits",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("entry_days", sa.Integer(), nullable=False),
        sa.Column("publish_days", sa.Integer(), nullable=False),
        sa.Column("visit_cap", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"],
                                name=op.f("fk_jurisdiction_limits_jurisdiction_id_jurisdictions")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_jurisdiction_limits_updated_by_id_users")),
        sa.PrimaryKeyConstraint("jurisdiction_id", name=op.f("pk_jurisdiction_limits")),
    )

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("annual_plan_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_plans_annual_plan_id"), ["annual_plan_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_plans_annual_plan_id_annual_plans"), "annual_plans",
                                    ["annual_plan_id"], ["id"])

    for table in CATALOGUE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("national_code", sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column("frequency", sa.String(length=64), server_default="", nullable=False))
            batch_op.add_column(sa.Column("ratio", sa.Integer(), nullable=True))

    versions = op.create_table(
        "check_item_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("required_qualification", sa.String(length=64), nullable=True),
        sa.Column("national_code", sa.String(length=64), nullable=True),
        sa.Column("frequency", sa.String(length=64), nullable=False),
        sa.Column("ratio", sa.Integer(), nullable=True),
        sa.Column("check_points", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_check_item_versions_department_id_departments")),
        sa.ForeignKeyConstraint(["item_id"], ["check_items.id"], ondelete="CASCADE",
                                name=op.f("fk_check_item_versions_item_id_check_items")),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"],
                                name=op.f("fk_check_item_versions_jurisdiction_id_jurisdictions")),
        sa.ForeignKeyConstraint(["saved_by_id"], ["users.id"], name=op.f("fk_check_item_versions_saved_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_item_versions")),
        sa.UniqueConstraint("item_id", "version", name="uq_check_item_versions_item_version"),
    )
    with op.batch_alter_table("check_item_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_item_versions_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_check_item_versions_jurisdiction_id"), ["jurisdiction_id"], unique=False)
    _snapshot_existing_items(versions)


def _snapshot_existing_items(versions):
    """Each item's current version enters the catalogue's history (earlier versions were never kept)."""
    from datetime import datetime, timezone

    conn = op.get_bind()
    points = {}
    for item_id, text in conn.execute(sa.text(
            "SELECT item_id, text FROM check_points ORDER BY item_id, position, id")):
        points.setdefault(item_id, []).append(text)
    rows = [{
        "item_id": r.id, "department_id": r.department_id, "jurisdiction_id": r.jurisdiction_id,
        "version": r.version or 1, "title": r.title, "methods": r.methods if isinstance(r.methods, list) else json.loads(r.methods or "[]"), "legal_basis": r.legal_basis or "",
        "required_qualification": r.required_qualification, "national_code": None, "frequency": "", "ratio": None,
        "check_points": points.get(r.id, []), "active": bool(r.active), "saved_by_id": None,
        "saved_at": datetime.now(timezone.utc),
    } for r in conn.execute(sa.text(
        "SELECT i.id, i.department_id, d.jurisdiction_id, i.version, i.title, i.methods, i.legal_basis, "
        "i.required_qualification, i.active FROM check_items i JOIN departments d ON d.id = i.department_id"))]
    if rows:
        op.bulk_insert(versions, rows)


def downgrade():
    with op.batch_alter_table("check_item_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_item_versions_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_check_item_versions_item_id"))
    op.drop_table("check_item_versions")
    for table in reversed(CATALOGUE):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("ratio")
            batch_op.drop_column("frequency")
            batch_op.drop_column("national_code")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plans_annual_plan_id_annual_plans"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_plans_annual_plan_id"))
        batch_op.drop_column("annual_plan_id")
    op.drop_table("jurisdiction_limits")
    with op.batch_alter_table("annual_plan_departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annual_plan_departments_annual_plan_id"))
    op.drop_table("annual_plan_departments")
    with op.batch_alter_table("annual_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annual_plans_jurisdiction_id"))
    op.drop_table("annual_plans")
