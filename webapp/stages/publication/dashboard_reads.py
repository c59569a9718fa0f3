"""Reading the dashboard's kept counts (webapp.stages.publication.dashboard_counts): the records a phone's
submission only marked (`dashboard_stale`) are settled first, refreshed together, so that a reader sees what the
commits wrote. `counts` is the only way the counts are read (publication.board); `settle` also runs every
SETTLE_EVERY seconds (core.periodic: Celery beat on one worker, the ticker thread when embedded).

On PostgreSQL a settle takes the marked records it can lock at once (SKIP LOCKED): a record another transaction
is writing stays marked, as the reader would not see that write either, and is settled at the next read."""
from sqlalchemy import func, literal, select

from webapp.core import periodic
from webapp.core.extensions import db
from webapp.stages.publication.dashboard_counts import CHUNK, DashboardCount, DashboardStale, _refresh, _statements
from webapp.stages.records.models import InspectionRecord as R

SETTLE_EVERY = 2.0  # seconds between two settles of every marked record
MARKED = -1  # the section of the row `counts` reads beside the counts: how many of the plans' records are marked


def counts(plan_ids, section: int | None = None) -> list:
    """(plan_id, section, key, n) of the kept counts of these plans (of one section), n ≠ 0, their marked records
    settled first: one statement while none is marked (a row of section MARKED beside the counts tells), else
    the settle and the counts again."""
    plans = sorted(plan_ids) or [-1]
    kept = select(DashboardCount.plan_id, DashboardCount.section, DashboardCount.key, DashboardCount.n) \
        .where(DashboardCount.plan_id.in_(plans), DashboardCount.n != 0)
    if section is not None:
        kept = kept.where(DashboardCount.section == section)
    marked = select(literal(0), literal(MARKED), literal(""), func.count()).select_from(DashboardStale) \
        .join(R, R.id == DashboardStale.record_id).where(R.plan_id.in_(plans))
    rows = db.session.execute(kept.union_all(marked)).all()
    if any(row[1] == MARKED and row[3] for row in rows):
        settle(plans)
        return db.session.execute(kept).all()
    return [row for row in rows if row[1] != MARKED]


def settle(plan_ids=None) -> int:
    """Refresh the marked records (of these plans; every one when None) and drop their marks; how many. On
    PostgreSQL in a short transaction of its own, committed at once (the reader's may run on, and no other reader
    then skips what this one took); elsewhere (SQLite: one writer at a time) in the session's."""
    if db.engine.dialect.name != "postgresql":
        return _settle(db.session.connection(), plan_ids)
    with db.engine.begin() as connection:
        return _settle(connection, plan_ids)


def _settle(connection, plan_ids) -> int:
    # the marked records, in one order; on PostgreSQL those no other transaction is writing, locked
    take = select(R.id).join(DashboardStale, DashboardStale.record_id == R.id).order_by(R.id)
    if plan_ids is not None:
        take = take.where(R.plan_id.in_(sorted(plan_ids) or [-1]))
    if connection.dialect.name == "postgresql":
        take = take.with_for_update(of=R, skip_locked=True)
    ids = list(connection.scalars(take))
    unmark = _statements(connection.dialect.name)["unmark"]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        _refresh(connection, chunk, frozenset(chunk))
        connection.execute(unmark, {"ids": chunk})
    return len(ids)


@periodic.every(SETTLE_EVERY, "dashboard.settle")
def _settle_every() -> int:
    return settle()
