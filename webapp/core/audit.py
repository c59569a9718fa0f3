"""Writing the audit trail: who did what, when, from where; a hash chain makes it tamper-evident.

Each event carries `prev_hash` (the previous event's `hash`, 64 zeros for the first) and
`hash = SHA-256(bytes.fromhex(prev_hash) ‖ canonical JSON of the event)`, the event being its at (ISO 8601,
UTC, microseconds), user_id, ip, action, object_type, object_id and detail (docs/transparency-log.md). The chain
is extended under the log's transaction lock (PostgreSQL), so two transactions never extend the same link;
`verify_chain()` walks it, and `spotcheck log-sign` puts its head into the public log.

The lock is one for every writer: it is taken as late as can be. `record` keeps the event on the session, not in
it; the transaction's events go in at its commit, after every other commit hook (`_seal`, moved last by
`create_app`), so the lock is held for the chain's tail, the insert and the COMMIT only. An event recorded while
the transaction commits goes straight in (chained at that flush); a rolled-back transaction takes its events."""
import hashlib
import json
from datetime import datetime, timezone

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from webapp.core import clock
from webapp.core.clock import utcnow
from webapp.core.extensions import db

GENESIS = "0" * 64


class AuditEvent(db.Model):
    """Who did what, when, from where. Append-only."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    ip: Mapped[str | None] = mapped_column(db.String(64))
    action: Mapped[str] = mapped_column(db.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(db.String(32))
    object_id: Mapped[str | None] = mapped_column(db.String(64))
    detail: Mapped[dict] = mapped_column(db.JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(db.String(64))
    hash: Mapped[str | None] = mapped_column(db.String(64))

    # The accounts stage's User: core may not import a stage, not even for typing (tests/test_layout.py).
    user: Mapped["User | None"] = relationship("User")  # noqa: F821

    __table_args__ = (db.Index("ix_audit_object", "object_type", "object_id"),)


def record(action: str, obj=None, user=None, **detail) -> AuditEvent:
    """Add an audit event to the session; it is committed with the change it describes."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    event = AuditEvent(
        at=utcnow(),
        action=action,
        user_id=getattr(user, "id", None),
        ip=request.remote_addr if has_request_context() else "cli",
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) is not None else None,
        detail=detail,
    )
    session = db.session()
    if session.info.get(_SEALING):
        session.add(event)
    else:
        session.info.setdefault(_HELD, []).append(event)
    return event


_HELD, _SEALING = "audit_held", "audit_sealing"


def _seal(session):
    """Before the commit, last: the transaction's events go in; their flush takes the lock (`_chain`)."""
    session.info[_SEALING] = True
    held = session.info.pop(_HELD, None)
    if held:
        session.add_all(held)
        session.flush()


def seal_last() -> None:
    """Move `_seal` after every other `before_commit` hook registered so far (create_app, once all are)."""
    if event.contains(Session, "before_commit", _seal):
        event.remove(Session, "before_commit", _seal)
    event.listen(Session, "before_commit", _seal)


event.listen(Session, "before_commit", _seal)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    if transaction.parent is None:
        session.info.pop(_HELD, None)
        session.info.pop(_SEALING, None)


# --- the chain ---------------------------------------------------------------------------------------------

def canonical_event(at, user_id, ip, action, object_type, object_id, detail) -> bytes:
    """The bytes of one event the chain covers (detail as JSON gives it back)."""
    moment = clock.aware(at).astimezone(timezone.utc).isoformat(timespec="microseconds")
    body = {"at": moment, "user_id": user_id, "ip": ip, "action": action, "object_type": object_type,
            "object_id": object_id, "detail": json.loads(json.dumps(detail if detail is not None else {}))}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def link(prev_hash: str, data: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + data).hexdigest()


def _canonical(e: "AuditEvent") -> bytes:
    return canonical_event(e.at, e.user_id, e.ip, e.action, e.object_type, e.object_id, e.detail)


def tail() -> tuple[int | None, str]:
    """(id, hash) of the chain's last stored event."""
    row = db.session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return (row[0], row[1] or GENESIS) if row else (None, GENESIS)


@event.listens_for(Session, "before_flush")
def _chain(session, flush_context, instances):
    new = [o for o in session.new if isinstance(o, AuditEvent) and o.hash is None]
    if not new:
        return
    from webapp.core.ledger import lock  # the log's lock: one lock for both, never a deadlock between them

    new.sort(key=lambda o: inspect(o).insert_order)  # the order the unit of work inserts them in
    lock()
    with session.no_autoflush:
        prev = tail()[1]
        for e in new:
            if e.at is None:
                e.at = utcnow()
            if e.detail is None:
                e.detail = {}
            e.prev_hash, e.hash = prev, link(prev, _canonical(e))
            prev = e.hash


def verify_chain(batch: int = 5_000):
    """Walk the whole chain in id order. Returns (events, head hash, None) when every link holds, or
    (events checked, last good hash, (event id, what is wrong)) at the first broken link."""
    prev, count, last = GENESIS, 0, None
    query = select(AuditEvent.id, AuditEvent.at, AuditEvent.user_id, AuditEvent.ip, AuditEvent.action,
                   AuditEvent.object_type, AuditEvent.object_id, AuditEvent.detail, AuditEvent.prev_hash,
                   AuditEvent.hash).order_by(AuditEvent.id)
    result = db.session.execute(query.execution_options(yield_per=batch))
    try:
        for row in result:
            (id_, at, user_id, ip, action, object_type, object_id, detail, prev_hash, hash_) = row
            if prev_hash != prev:
                return count, prev, (id_, f"prev_hash {prev_hash} 应为上一条（{last}）的 hash {prev}："
                                          "上一条被删除、插入或改动过")
            want = link(prev, canonical_event(at, user_id, ip, action, object_type, object_id, detail))
            if hash_ != want:
                return count, prev, (id_, f"内容与其 hash 不符（重新计算得 {want}，记录的是 {hash_}）：该条被改动过")
            prev, count, last = hash_, count + 1, id_
    finally:
        result.close()
    return count, prev, None


def head() -> dict:
    """The chain's head for the public log: how many events, the last id, its hash."""
    last_id, h = tail()
    from sqlalchemy import func

    return {"events": db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0, "last_id": last_id,
            "head": h}
