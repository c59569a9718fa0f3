"""issue 13: a department's section of the dashboard's kept counts is its part's, the checklist's, not its team's
(webapp.stages.review.parts.department_pairs: a department with items on the checklist and nobody on the team was
not counted), so the facts and counts are refilled; and the review queue's 发现问题 reads a column of the record,
`has_problems`, filled here as the filter read the JSON text until now, with its own index in the queue's order.

The downgrade drops the column and index; it leaves the counts as they are (each refresh subtracts what it stored,
so the older code moves them consistently, with a section per part until a record is written again).

Revision ID: 0036_checklist_problems
Revises: 0035_eligibility_index
"""
import sqlalchemy as sa
from alembic import op

revision = '0036_checklist_problems'
down_revision = '0035_eligibility_index'
branch_labels = None
depends_on = None

# What the queue's filter matched until now (webapp.domain.review.has_problems on the stored JSON text): a problem
# or a disposition among the result codes, or a check point found 不符合 (both the Python and the compact spelling).
CODES = ("corrected", "false_disclosure", "follow_up", "not_disclosed", "obstructed", "unreachable")


def upgrade():
    with op.batch_alter_table("inspection_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("has_problems", sa.Boolean(), server_default=sa.false(), nullable=False))
    records = sa.table("inspection_records", sa.column("has_problems", sa.Boolean), sa.column("result_codes"),
                       sa.column("findings"))
    codes, findings = sa.cast(records.c.result_codes, sa.Text), sa.cast(records.c.findings, sa.Text)
    op.execute(records.update().where(sa.or_(
        *(codes.like(f'%"{code}"%') for code in CODES),
        findings.like('%"result": "fail"%'), findings.like('%"result":"fail"%'))).values(has_problems=True))
    where = sa.text("has_problems IS true")
    with op.batch_alter_table("inspection_records", schema=None) as batch_op:
        batch_op.create_index("ix_inspection_records_problems", ["submitted_at", "id"], unique=False,
                              postgresql_where=where, sqlite_where=where)

    from webapp.stages.publication import dashboard_counts

    dashboard_counts.rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table("inspection_records", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_records_problems")
        batch_op.drop_column("has_problems")
