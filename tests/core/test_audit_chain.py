"""The audit trail is a hash chain (issue 11 §3): each event carries the previous one's hash; verify-audit walks
it and names the first broken link."""
import sqlalchemy
from sqlalchemy import func, select, text

from webapp.core import audit
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db


def _events(n, start=0):
    for i in range(start, start + n):
        audit.record("test.event", None, n=i, text="中文说明")
    db.session.commit()


def test_events_chain_across_transactions_and_flushes(app, runner):
    _events(3)
    audit.record("test.event", None, n=3)
    db.session.flush()
    audit.record("test.event", None, n=4)
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:]))
    count, head, broken = audit.verify_chain()
    assert (count, head, broken) == (5, events[-1].hash, None)
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0 and "审计链完好：5 条" in result.output


def _tampered(runner, n: int, sql: str, index: int):
    """`n` events, then `sql` run on the `index`-th by SQL outside the app, then verify-audit: (ids, result)."""
    _events(n)
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    db.session.commit()
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text(sql), {"i": ids[index]})
    return ids, runner.invoke(args=["verify-audit"])


def test_breaking_one_audit_row_is_caught_and_named(app, runner):
    ids, result = _tampered(runner, 6, "UPDATE audit_events SET ip = '10.0.0.66' WHERE id = :i", 3)
    assert result.exit_code == 1
    assert f"第 {ids[3]} 号审计记录处断裂（此前 3 条完好）" in result.output and "被改动过" in result.output


def test_a_deleted_audit_row_breaks_the_next_link(app, runner):
    ids, result = _tampered(runner, 4, "DELETE FROM audit_events WHERE id = :i", 1)
    assert result.exit_code == 1 and f"第 {ids[2]} 号审计记录处断裂" in result.output and "删除" in result.output


def test_events_go_in_at_the_commit_and_a_rollback_takes_them(app):
    audit.record("test.event", None, n=0)
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0  # held until the commit
    db.session.rollback()
    audit.record("test.event", None, n=1)
    db.session.commit()
    assert db.session.scalars(select(AuditEvent.detail)).all() == [{"n": 1}]


def test_the_chain_is_extended_last_before_the_commit(app, client, auth, dispatched):
    """The chain's lock (PostgreSQL) is held from the tail's read to the COMMIT: nothing else runs in between."""
    from tests.field_api.conftest import Phone, sha, signature_png, submission

    phone = Phone(client, auth).login("jt01")
    signature = signature_png()
    assert phone.upload(dispatched.record.id, signature, kind="signature").status_code == 201
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    sqlalchemy.event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert phone.put(submission(dispatched.record, signature=sha(signature))).status_code == 201
    finally:
        sqlalchemy.event.remove(db.engine, "before_cursor_execute", note)
    first = next(i for i, sql in enumerate(statements) if "audit_events" in sql)
    assert "INSERT INTO audit_events" in statements[-1] and first == len(statements) - 2  # the tail, the insert
