"""issue 17 (the sync path at a deadline rush): a phone's submission no longer refreshes the dashboard's kept
counts at its commit; it marks its record in `dashboard_stale`, and the marked records are refreshed together
before a read of their plan's counts and every few seconds (webapp.stages.publication.dashboard_reads.settle).

Revision ID: 0038_dashboard_later
Revises: 0037_import_speed
"""
import sqlalchemy as sa
from alembic import op

revision = '0038_dashboard_later'
down_revision = '0037_import_speed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_stale",
        sa.Column("record_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_dashboard_stale")),
    )


def downgrade():
    # what is marked is refreshed by the commit again from now on: settle it first (the facts of a marked record
    # are those before its submission)
    bind = op.get_bind()
    from webapp.stages.publication import dashboard_counts

    marked = list(bind.scalars(sa.text("SELECT record_id FROM dashboard_stale")))
    if marked:
        dashboard_counts.refresh(bind, marked)
    op.drop_table("dashboard_stale")
