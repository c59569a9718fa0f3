"""review_parts: a joint 一企一表 reviewed and published per department (谁抽查、谁录入、谁公示); the department of
review events and withdrawals, the parts an amendment re-opened. Existing records' state becomes their parts'.

Revision ID: 0013_review_parts
Revises: 0012_tamper_evidence, 0014_session_versions (both revise 0011 in this tree: 0013 joins them, one
head; to be re-linked into one line at merge)
"""
import json
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from webapp.domain import review as rules

revision = '0013_review_parts'
down_revision = ('0012_tamper_evidence', '0014_session_versions')
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result_codes", sa.JSON(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("authority", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_review_parts_decided_by_id_users")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_review_parts_department_id_departments")),
        sa.ForeignKeyConstraint(["record_id"], ["inspection_records.id"],
                                name=op.f("fk_review_parts_record_id_inspection_records"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_parts")),
        sa.UniqueConstraint("record_id", "department_id", name="uq_review_parts_pair"),
    )
    with op.batch_alter_table("review_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_parts_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_parts_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_parts_status"), ["status"], unique=False)
    with op.batch_alter_table("review_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_review_events_department_id"), ["department_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_review_events_department_id_departments"), "departments",
                                    ["department_id"], ["id"])
    with op.batch_alter_table("amendments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_ids", sa.JSON(), nullable=True))
    with op.batch_alter_table("publication_withdrawals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_publication_withdrawals_department_id_departments"),
                                    "departments", ["department_id"], ["id"])
    _parts_from_records()


def _parts_from_records():
    """Each record in review or after gets one part per department, in the record's state."""
    conn = op.get_bind()
    names = dict(conn.execute(sa.text("SELECT id, name FROM departments")).all())
    members = {}
    for record_id, department_id in conn.execute(
            sa.text("SELECT record_id, department_id FROM record_members ORDER BY id")):
        members.setdefault(record_id, []).append(department_id)
    parts = sa.table(
        "review_parts", sa.column("record_id", sa.Integer), sa.column("department_id", sa.Integer),
        sa.column("position", sa.Integer), sa.column("status", sa.String), sa.column("result_codes", sa.JSON),
        # untyped: the moments go back as the database gave them
        sa.column("published_at"), sa.column("authority", sa.String), sa.column("created_at"))
    now = datetime.now(timezone.utc)
    rows = []
    for record_id, status, findings, codes, published_at, submitted_at in conn.execute(sa.text(
            "SELECT id, status, findings, result_codes, published_at, submitted_at FROM inspection_records "
            "WHERE status IN ('submitted', 'returned', 'approved', 'published')")):
        findings = json.loads(findings) if isinstance(findings, str) else findings
        codes = json.loads(codes) if isinstance(codes, str) else (codes or [])
        for position, department_id in enumerate(rules.part_departments(findings, members.get(record_id, []))):
            rows.append({
                "record_id": record_id, "department_id": department_id, "position": position,
                "status": str(rules.PART_OF_RECORD[status]),
                "result_codes": rules.part_codes(findings, codes, department_id),
                "published_at": published_at if status == "published" else None,
                "authority": names.get(department_id, ""), "created_at": submitted_at or now,
            })
    if rows:
        op.bulk_insert(parts, rows)


def downgrade():
    with op.batch_alter_table("publication_withdrawals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_publication_withdrawals_department_id_departments"),
                                 type_="foreignkey")
        batch_op.drop_column("department_id")
    with op.batch_alter_table("amendments", schema=None) as batch_op:
        batch_op.drop_column("department_ids")
    with op.batch_alter_table("review_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_review_events_department_id_departments"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_review_events_department_id"))
        batch_op.drop_column("department_id")
    op.drop_table("review_parts")
