"""issue 15: the enterprise and the public take part: rectification submissions (整改), objections (异议),
questions (咨询), tip-offs (举报) and their handling, their verified attachments, and the public doors' attempts
(rate limits); each row carries the department in charge and its jurisdiction

Revision ID: 0020_enterprise_side
Revises: 0019_open_api
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_enterprise_side'
down_revision = '0019_open_api'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_attempts'))
    )
    with op.batch_alter_table('public_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_attempts_ip'), ['ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_attempts_key'), ['key'], unique=False)

    op.create_table('enterprise_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_enterprise_attachments_department_id_departments')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_enterprise_attachments_jurisdiction_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_attachments'))
    )
    with op.batch_alter_table('enterprise_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_attachments_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_attachments_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_attachments_owner_id'), ['owner_id'], unique=False)

    op.create_table('tip_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=20), nullable=False),
    sa.Column('code_sha256', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('entity_text', sa.String(length=200), nullable=False),
    sa.Column('check_item_id', sa.Integer(), nullable=True),
    sa.Column('matter', sa.String(length=200), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('seen_on', sa.Date(), nullable=True),
    sa.Column('contact', sa.String(length=100), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('response_due', sa.Date(), nullable=False),
    sa.Column('response_due_provisional', sa.Boolean(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['check_item_id'], ['check_items.id'], name=op.f('fk_tip_offs_check_item_id_check_items')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_tip_offs_department_id_departments')),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_tip_offs_entity_id_entities')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_tip_offs_jurisdiction_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tip_offs')),
    sa.UniqueConstraint('receipt', name=op.f('uq_tip_offs_receipt'))
    )
    with op.batch_alter_table('tip_offs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tip_offs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tip_offs_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tip_offs_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tip_offs_ip'), ['ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_tip_offs_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tip_offs_status'), ['status'], unique=False)

    op.create_table('enterprise_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_enterprise_questions_answered_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_enterprise_questions_department_id_departments')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_enterprise_questions_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['record_id'], ['inspection_records.id'], name=op.f('fk_enterprise_questions_record_id_inspection_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_questions'))
    )
    with op.batch_alter_table('enterprise_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_questions_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_questions_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_questions_record_id'), ['record_id'], unique=False)

    op.create_table('tip_off_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tip_off_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('to_department_id', sa.Integer(), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_tip_off_events_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_tip_off_events_department_id_departments')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_tip_off_events_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['tip_off_id'], ['tip_offs.id'], name=op.f('fk_tip_off_events_tip_off_id_tip_offs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_department_id'], ['departments.id'], name=op.f('fk_tip_off_events_to_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tip_off_events'))
    )
    with op.batch_alter_table('tip_off_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tip_off_events_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tip_off_events_tip_off_id'), ['tip_off_id'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('answer_due_provisional', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('previous_codes', sa.JSON(), nullable=True),
    sa.Column('corrected_codes', sa.JSON(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_objections_answered_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_objections_department_id_departments')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_objections_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['part_id'], ['review_parts.id'], name=op.f('fk_objections_part_id_review_parts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['inspection_records.id'], name=op.f('fk_objections_record_id_inspection_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_part_id'), ['part_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_status'), ['status'], unique=False)

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rectifications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_rectifications_department_id_departments')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_up_tasks.id'], name=op.f('fk_rectifications_follow_up_id_follow_up_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_rectifications_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['record_id'], ['inspection_records.id'], name=op.f('fk_rectifications_record_id_inspection_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications'))
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_follow_up_id'), ['follow_up_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_status'))
        batch_op.drop_index(batch_op.f('ix_rectifications_record_id'))
        batch_op.drop_index(batch_op.f('ix_rectifications_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_rectifications_follow_up_id'))
        batch_op.drop_index(batch_op.f('ix_rectifications_department_id'))

    op.drop_table('rectifications')
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_status'))
        batch_op.drop_index(batch_op.f('ix_objections_record_id'))
        batch_op.drop_index(batch_op.f('ix_objections_part_id'))
        batch_op.drop_index(batch_op.f('ix_objections_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_objections_department_id'))

    op.drop_table('objections')
    with op.batch_alter_table('tip_off_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tip_off_events_tip_off_id'))
        batch_op.drop_index(batch_op.f('ix_tip_off_events_jurisdiction_id'))

    op.drop_table('tip_off_events')
    with op.batch_alter_table('enterprise_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_questions_record_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_questions_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_questions_department_id'))

    op.drop_table('enterprise_questions')
    with op.batch_alter_table('tip_offs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tip_offs_status'))
        batch_op.drop_index(batch_op.f('ix_tip_offs_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_tip_offs_ip'))
        batch_op.drop_index(batch_op.f('ix_tip_offs_entity_id'))
        batch_op.drop_index(batch_op.f('ix_tip_offs_department_id'))
        batch_op.drop_index(batch_op.f('ix_tip_offs_created_at'))

    op.drop_table('tip_offs')
    with op.batch_alter_table('enterprise_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_attachments_owner_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_attachments_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_attachments_department_id'))

    op.drop_table('enterprise_attachments')
    with op.batch_alter_table('public_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_attempts_key'))
        batch_op.drop_index(batch_op.f('ix_public_attempts_ip'))
        batch_op.drop_index(batch_op.f('ix_public_attempts_at'))

    op.drop_table('public_attempts')
