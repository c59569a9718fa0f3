"""draws: the frozen population and the result compressed with lz4 on PostgreSQL

A million-entity draw stores ~25 MB of population text and ~46 MB of result JSON. PostgreSQL's default TOAST
compression (pglz) spent about 0.85 s compressing the result alone, a third of the 3 s the issue allows; lz4 does
the same job in a fraction of that. Only where the server was built with lz4 (Debian's is); other databases and
servers keep their default, with identical data.

Revision ID: 0008_draw_lz4
Revises: 0007_merge_areas
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_draw_lz4'
down_revision = '0007_merge_areas'
branch_labels = None
depends_on = None

COLUMNS = ("population", "result")


def _lz4_available(bind) -> bool:
    if bind.dialect.name != "postgresql" or bind.dialect.server_version_info < (14,):
        return False
    return bool(bind.scalar(sa.text(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")))


def _set(method: str):
    bind = op.get_bind()
    if _lz4_available(bind):
        for column in COLUMNS:
            op.execute(f"ALTER TABLE draws ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade():
    _set("lz4")


def downgrade():
    _set("pglz")
