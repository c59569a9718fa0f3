"""issue 15 (plans published in advance, enterprise side): targeted checks (定向检查) opened on a 举报, recorded as
such and kept apart from the random draws

Revision ID: 0029_public_plans
Revises: 0027_field_ux
"""
from alembic import op
import sqlalchemy as sa


revision = '0029_public_plans'
down_revision = '0027_field_ux'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('targeted_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('tip_off_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('entity_text', sa.String(length=200), nullable=False),
    sa.Column('matter', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_targeted_checks_department_id_departments')),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_targeted_checks_entity_id_entities')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_targeted_checks_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_targeted_checks_opened_by_id_users')),
    sa.ForeignKeyConstraint(['tip_off_id'], ['tip_offs.id'], name=op.f('fk_targeted_checks_tip_off_id_tip_offs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targeted_checks'))
    )
    with op.batch_alter_table('targeted_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targeted_checks_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targeted_checks_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targeted_checks_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targeted_checks_tip_off_id'), ['tip_off_id'], unique=False)


def downgrade():
    op.drop_table('targeted_checks')
