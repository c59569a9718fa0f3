"""issue 17 (work through the queue: derivatives, bundles, exports)

`media.ready`: a phone's upload stores only its raw bytes; the display copy and thumbnail are made by a job, and
until then the medium is not ready (pages show 「处理中」, nothing is served). Existing media are ready.

Revision ID: 0026_queue
Revises: 0025_webhooks
"""
from alembic import op
import sqlalchemy as sa


revision = '0026_queue'
down_revision = '0025_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media') as batch:
        batch.add_column(sa.Column('ready', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('media') as batch:
        batch.drop_column('ready')
