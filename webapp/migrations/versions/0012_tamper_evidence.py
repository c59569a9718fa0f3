"""tamper evidence: the audit trail's hash chain (prev_hash, hash), backfilled in id order; the draws' committed
manifest hash and the office's early disclosure of a manifest

Revision ID: 0012_tamper_evidence
Revises: 0011_transparency_log
"""
import hashlib
import json
from datetime import timezone

from alembic import op
import sqlalchemy as sa


revision = '0012_tamper_evidence'
down_revision = '0011_transparency_log'
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _canonical(at, user_id, ip, action, object_type, object_id, detail) -> bytes:
    # The same bytes as webapp.core.audit.canonical_event (a copy: a migration must not change with the code).
    at = at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at
    body = {"at": at.astimezone(timezone.utc).isoformat(timespec="microseconds"), "user_id": user_id, "ip": ip,
            "action": action, "object_type": object_type, "object_id": object_id,
            "detail": json.loads(json.dumps(detail if detail is not None else {}))}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manifest_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("disclosure_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("disclosed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_draws_disclosed_by_id_users"), "users", ["disclosed_by_id"], ["id"])

    bind = op.get_bind()
    events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
                      sa.column("user_id", sa.Integer), sa.column("ip", sa.String), sa.column("action", sa.String),
                      sa.column("object_type", sa.String), sa.column("object_id", sa.String),
                      sa.column("detail", sa.JSON), sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    prev, links = GENESIS, []
    for row in bind.execute(sa.select(events.c.id, events.c.at, events.c.user_id, events.c.ip, events.c.action,
                                      events.c.object_type, events.c.object_id, events.c.detail)
                            .order_by(events.c.id)).all():
        h = hashlib.sha256(bytes.fromhex(prev) + _canonical(*row[1:])).hexdigest()
        links.append({"row_id": row[0], "p": prev, "h": h})
        prev = h
    if links:
        bind.execute(events.update().where(events.c.id == sa.bindparam("row_id"))
                     .values(prev_hash=sa.bindparam("p"), hash=sa.bindparam("h")), links)


def downgrade():
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_draws_disclosed_by_id_users"), type_="foreignkey")
        batch_op.drop_column("disclosed_by_id")
        batch_op.drop_column("disclosure_reason")
        batch_op.drop_column("disclosed_at")
        batch_op.drop_column("manifest_sha256")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
