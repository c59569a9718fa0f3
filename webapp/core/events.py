"""Events: what happened in one stage, told to whoever listens in a later one without the earlier stage importing
it (integration's webhooks listen to publication, field and draw).

    from webapp.core import events

    events.emit("result.published", {"record": token, …}, jurisdiction_id=plan.jurisdiction_id)   # a stage

    @events.on("result.published")                                                                 # a listener
    def send(name, payload, jurisdiction_id): ...

An emitted event waits on the session until the transaction that emitted it commits: its listeners run just
before that commit (`before_commit`), inside the same transaction, so that what they write (a webhook delivery)
commits with the act or not at all, and a rolled-back act tells no one. Jobs a listener enqueues are dispatched
after the commit (core.jobs; eagerly under TESTING, right after it). Payloads are plain JSON, made at the moment
of the act, with only what may be told outside the office."""
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.core import jobs
from webapp.core.extensions import db

_LISTENERS: dict[str, list[Callable]] = {}
_PENDING = "events_pending"


def on(name: str):
    """Register `fn(name, payload, jurisdiction_id)` to run when `name` is emitted (once per function)."""
    def register(fn):
        listeners = _LISTENERS.setdefault(name, [])
        if fn not in listeners:
            listeners.append(fn)
        return fn
    return register


def emit(name: str, payload: dict, jurisdiction_id: int | None = None) -> None:
    """Tell the listeners of `name`, when the current transaction commits."""
    if _LISTENERS.get(name):
        db.session.info.setdefault(_PENDING, []).append((name, dict(payload), jurisdiction_id))


@event.listens_for(Session, "before_commit")
def _tell(session):
    while session.info.get(_PENDING):
        pending = session.info.pop(_PENDING)
        with jobs.after_commit(session):
            for name, payload, jurisdiction_id in pending:
                for fn in list(_LISTENERS.get(name, ())):
                    fn(name, payload, jurisdiction_id)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    """A transaction that ended without committing (rolled back, closed) takes its events with it."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
