"""issue 13: a department's section of the dashboard's kept counts is its part's, the checklist's, not its team's
(webapp.stages.review.parts.department_pairs: a department with items on the checklist and nobody on the team was
not counted), so the facts and counts are refilled.

The downgrade leaves the counts as they are (each refresh subtracts what it stored, so the older code moves them
consistently, with a section per part until a record is written again).

Revision ID: 0036_checklist_problems
Revises: 0035_eligibility_index
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = '0036_checklist_problems'
down_revision = '0035_eligibility_index'
branch_labels = None
depends_on = None


def upgrade():
    from webapp.stages.publication import dashboard_counts

    dashboard_counts.rebuild(op.get_bind())


def downgrade():
    pass
