"""issue 13 (the office dashboard at 100,000 records): the dashboard's facts per record and section and their
counts per plan, kept by every commit (webapp.stages.publication.dashboard_counts), filled here from the records

Revision ID: 0030_dashboard_counts
Revises: 0029_public_plans
"""
from alembic import op
import sqlalchemy as sa


revision = '0030_dashboard_counts'
down_revision = '0029_public_plans'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_facts',
    sa.Column('record_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('section', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('part', sa.String(length=16), nullable=True),
    sa.Column('risk_level', sa.String(length=16), nullable=False),
    sa.Column('submitted', sa.Boolean(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('sync_due', sa.Date(), nullable=True),
    sa.Column('result_codes', sa.JSON(), nullable=False),
    sa.Column('team_size', sa.Integer(), nullable=False),
    sa.Column('understaffed', sa.Boolean(), nullable=False),
    sa.Column('short', sa.Boolean(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('record_id', 'section', name=op.f('pk_dashboard_facts'))
    )
    short = sa.column('short', sa.Boolean()).is_(True)
    op.create_index('ix_dashboard_facts_section', 'dashboard_facts', ['plan_id', 'section', 'record_id'], unique=False)
    op.create_index('ix_dashboard_facts_due', 'dashboard_facts',
                    ['plan_id', 'section', 'submitted', 'sync_due', 'record_id'], unique=False)
    op.create_index('ix_dashboard_facts_short', 'dashboard_facts', ['plan_id', 'section', 'record_id'], unique=False,
                    postgresql_where=short, sqlite_where=short)
    op.create_table('dashboard_counts',
    sa.Column('plan_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('section', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('plan_id', 'section', 'key', name=op.f('pk_dashboard_counts'))
    )
    from webapp.stages.publication import dashboard_counts

    dashboard_counts.rebuild(op.get_bind())


def downgrade():
    op.drop_table('dashboard_counts')
    op.drop_index('ix_dashboard_facts_short', table_name='dashboard_facts')
    op.drop_index('ix_dashboard_facts_due', table_name='dashboard_facts')
    op.drop_index('ix_dashboard_facts_section', table_name='dashboard_facts')
    op.drop_table('dashboard_facts')
