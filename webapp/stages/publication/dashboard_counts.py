"""The dashboard's figures kept as they change, so that a plan of 100,000 records reads a few hundred rows.

`dashboard_facts` holds, per record and section (0: the whole plan; else a department of the record's team, which
sees the record by its own part: 谁抽查、谁录入、谁公示), the facts the dashboard counts (webapp.domain.dashboard);
`dashboard_counts` holds how many records of a plan and section share each combination of them. `refresh`
recomputes the facts of some records from the tables and moves the counts by the difference, in the writer's
transaction, with the records locked (two writers of one record count it once).

Nothing calls it by hand: every session's commit refreshes the records it wrote (their parts, their teams, their
enterprises' risk levels), whether through objects, ORM bulk statements or `core.database.bulk_insert`. SQL written
outside a session (a benchmark's) is followed by `rebuild`; migration 0030 filled both tables."""
import json
from collections import Counter
from datetime import date
from itertools import chain

from sqlalchemy import Integer, String, and_, any_, bindparam, case, cast, event, func, inspect, literal, null, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from webapp.core.extensions import db
from webapp.domain import dashboard as dash
from webapp.domain.status import PART_DONE, RecordStatus
from webapp.stages.directory.models import Entity
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.review.models import ReviewPart

R, M, P = InspectionRecord, RecordMember, ReviewPart
CHUNK = 2000  # records refreshed per statement


class DashboardFact(db.Model):
    __tablename__ = "dashboard_facts"
    record_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    section: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # 0: the whole plan
    plan_id: Mapped[int] = mapped_column()
    entity_id: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))  # the record's
    part: Mapped[str | None] = mapped_column(String(16))  # the section's part (a department's section only)
    risk_level: Mapped[str] = mapped_column(String(16))
    submitted: Mapped[bool] = mapped_column()
    late: Mapped[bool] = mapped_column()
    sync_due: Mapped[date | None] = mapped_column(db.Date)
    result_codes: Mapped[list] = mapped_column(db.JSON)
    team_size: Mapped[int] = mapped_column()
    understaffed: Mapped[bool] = mapped_column()
    short: Mapped[bool] = mapped_column()  # understaffed, or fewer than MIN_TEAM on the team
    complete: Mapped[bool] = mapped_column()  # every part of the record published or withdrawn

    __table_args__ = (
        db.Index("ix_dashboard_facts_section", "plan_id", "section", "record_id"),
        db.Index("ix_dashboard_facts_due", "plan_id", "section", "submitted", "sync_due", "record_id"),
        db.Index("ix_dashboard_facts_short", "plan_id", "section", "record_id",
                 postgresql_where=short.column.is_(True), sqlite_where=short.column.is_(True)),
    )


class DashboardCount(db.Model):
    __tablename__ = "dashboard_counts"
    plan_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    section: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(db.Text, primary_key=True)  # the facts, as `key` writes them
    n: Mapped[int] = mapped_column()


F = DashboardFact
KEYED = ("status", "part", "risk_level", "submitted", "late", "sync_due", "result_codes", "team_size",
         "understaffed", "complete")


def _facts_of(row) -> tuple:
    return (*row[2:8], tuple(sorted(row[8] or ())), *row[9:])


def key(facts: tuple) -> str:
    """The facts (in KEYED's order) as `dashboard_counts.key`."""
    values = list(facts)
    values[5] = values[5].isoformat() if values[5] else None
    values[6] = list(values[6])
    return json.dumps(values, ensure_ascii=False)


def unkey(text: str) -> dict:
    return dict(zip(KEYED, json.loads(text)))


def _facts(among):
    """The facts of the records `among` picks (a function of an id column), one row per record and section."""
    team = select(M.record_id, func.count().label("size")).where(among(M.record_id)) \
        .group_by(M.record_id).subquery("team")
    size = func.coalesce(team.c.size, 0)
    done = select(P.record_id, func.count().label("parts"),
                  func.sum(case((P.status.in_([s.value for s in PART_DONE]), 1), else_=0)).label("done")) \
        .where(among(P.record_id)).group_by(P.record_id).subquery("done")
    complete = case((done.c.parts > 0, done.c.parts == done.c.done), else_=R.status == RecordStatus.PUBLISHED.value)
    short = _short(R.understaffed, size)

    def rows(section, part, *joins):
        query = select(R.id, section, R.plan_id, R.entity_id, R.status, part, Entity.risk_level,
                       R.submitted_at.is_not(None), R.late, R.sync_due, R.result_codes, size, R.understaffed,
                       short, complete)
        for join in joins:
            query = query.join(*join) if len(join) == 2 else query.outerjoin(*join[:2])
        return query.join(Entity, Entity.id == R.entity_id).outerjoin(team, team.c.record_id == R.id) \
            .outerjoin(done, done.c.record_id == R.id).where(among(R.id))

    pairs = select(M.record_id, M.department_id).distinct().where(among(M.record_id)).subquery("pair")
    mapped = case((R.status != RecordStatus.DISPATCHED.value, R.status), else_=null())  # a part not made yet
    office = rows(literal(0, Integer), cast(null(), String))
    part = aliased(P, name="part")
    departments = rows(pairs.c.department_id, func.coalesce(part.status, mapped),
                       (pairs, pairs.c.record_id == R.id),
                       (part, and_(part.record_id == R.id, part.department_id == pairs.c.department_id), "outer"))
    return office.union_all(departments)


def _short(understaffed, size):
    return case((understaffed.is_(True), True), (size < dash.MIN_TEAM, True), else_=False)


def _upsert(connection):
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(DashboardCount)


def refresh(connection, records) -> None:
    """Recompute the facts of these records (ids) and move the counts by the difference."""
    ordered = sorted(records)
    for start in range(0, len(ordered), CHUNK):
        _refresh(connection, ordered[start:start + CHUNK])


def _among(connection, ids):
    """`column IN ids`; on PostgreSQL `column = ANY(:ids)`, one array for any number of ids."""
    if connection.dialect.name != "postgresql":
        return lambda column: column.in_(ids)
    array = bindparam("ids", ids, type_=postgresql.ARRAY(Integer))
    return lambda column: column == any_(array)


def _refresh(connection, records) -> None:
    among = _among(connection, records)
    if connection.dialect.name == "postgresql":
        connection.execute(select(R.id).where(among(R.id)).order_by(R.id).with_for_update())
    cols = [F.plan_id, F.section, *(getattr(F, name) for name in KEYED)]
    delta = Counter()
    for row in connection.execute(F.__table__.delete().where(among(F.record_id)).returning(*cols)):
        delta[(row[0], row[1], _facts_of(row))] -= 1
    names = [c.name for c in F.__table__.columns]
    for row in connection.execute(F.__table__.insert().from_select(names, _facts(among)).returning(*cols)):
        delta[(row[0], row[1], _facts_of(row))] += 1
    moved = sorted(({"plan_id": p, "section": s, "key": key(f), "n": n} for (p, s, f), n in delta.items() if n),
                   key=lambda m: (m["plan_id"], m["section"], m["key"]))  # one order: no deadlock between writers
    if moved:
        upsert = _upsert(connection)
        connection.execute(upsert.on_conflict_do_update(index_elements=["plan_id", "section", "key"],
                                                        set_={"n": DashboardCount.n + upsert.excluded.n}), moved)


# ---- every session's commit refreshes what it wrote ------------------------------------------------------------
def _touched(session) -> dict:
    return session.info.setdefault("dashboard", {"records": set(), "entities": set(), "plans": set()})


@event.listens_for(Session, "after_flush")
def _flushed(session, _context):
    touched = _touched(session)
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, R):
            touched["records"].add(obj.id)
        elif isinstance(obj, (M, P)):
            touched["records"].add(obj.record_id)
    touched["entities"].update(obj.id for obj in session.dirty  # re-rated (a new enterprise has no records yet)
                               if isinstance(obj, Entity) and inspect(obj).attrs.risk_level.history.has_changes())


BULK = {R.__table__: R.id, M.__table__: M.record_id, P.__table__: P.record_id, Entity.__table__: Entity.id}


@event.listens_for(Session, "do_orm_execute")
def _bulk(state):
    """ORM bulk UPDATE and DELETE (by criteria or by primary key): the rows they will write are read first."""
    if not (state.is_update or state.is_delete) or state.statement.table not in BULK:
        return
    table = state.statement.table
    params = state.parameters if isinstance(state.parameters, list) else None
    if params and table is Entity.__table__ and not any("risk_level" in p for p in params):
        return
    which = _among(state.session.get_bind(), [p["id"] for p in params])(table.c.id) if params \
        else state.statement.whereclause
    query = select(BULK[table]) if which is None else select(BULK[table]).where(which)
    _touched(state.session)["entities" if table is Entity.__table__ else "records"].update(
        state.session.scalars(query))


def _bulk_inserted(session, touched) -> None:
    """Rows `core.database.bulk_insert` wrote past the session's objects (it notes them in `session.info`)."""
    for table, rows in session.info.pop("bulk_inserted", ()):
        if table is R.__table__:
            touched["plans"].update(r["plan_id"] for r in rows)
        elif table in (M.__table__, P.__table__):
            touched["records"].update(r["record_id"] for r in rows)


@event.listens_for(Session, "before_commit")
def _commit(session):
    session.flush()
    touched = _touched(session)
    _bulk_inserted(session, touched)
    session.info.pop("dashboard")
    records = touched["records"] - {None}
    if not (records or touched["entities"] or touched["plans"]):
        return
    connection = session.connection()
    if touched["entities"]:
        of_entities = _among(connection, sorted(touched["entities"]))
        records.update(connection.scalars(select(R.id).where(of_entities(R.entity_id))))
    if touched["plans"]:
        plans = sorted(touched["plans"])
        records.update(connection.scalars(select(R.id).where(R.plan_id.in_(plans))))
        records.update(connection.scalars(select(F.record_id).where(F.plan_id.in_(plans))))
    refresh(connection, records)


def rebuild(connection) -> None:
    """Both tables from the records (migration 0030; a benchmark that wrote its records with SQL)."""
    connection.execute(DashboardCount.__table__.delete())
    connection.execute(F.__table__.delete())
    refresh(connection, set(connection.scalars(select(R.id))))
