"""The dashboard's figures kept as they change, so that a plan of 100,000 records reads a few hundred rows.

`dashboard_facts` holds, per record and section (0: the whole plan; else a department of the record's parts, its
checklist's, which sees the record by its own part: 谁抽查、谁录入、谁公示; review.parts.department_pairs), the facts the dashboard
counts (webapp.domain.dashboard); `dashboard_counts` holds how many records of a plan and section share each
combination of them. `refresh` recomputes the facts of some records from the tables and moves the counts by the
difference, in the writer's transaction, with the records locked (two writers of one record count it once).
Migration 0030 filled both tables; 0036 refilled them when a department's section became its part's (the
checklist's), not its team's.

Nothing calls it by hand: every session's commit refreshes the records whose counted state it wrote (their parts,
their teams, their enterprises' risk levels), whether through objects, ORM bulk statements or
`core.database.bulk_insert`. A write that changes none of the columns the facts are made of (`COUNTED`: a record's
new photo, a replayed submission) costs nothing here. SQL written outside a session (a benchmark's) is
followed by `rebuild`.

One writer defers: a phone's submission, the sync's hot path at a deadline rush, names its record with `LATER`
and its commit only marks it (`dashboard_stale`, one row). `dashboard_reads.settle` refreshes the marked records
together, before every read of a plan's counts (`dashboard_reads.counts`) and every few seconds: at its commit, one record's refresh cost 5–6 of the PUT's 14–16 ms of CPU (benchmarks/sync_rush.py,
web and PostgreSQL), and settled a hundred at a time a record costs about 0.4 ms of wall in all
(benchmarks/dashboard_settle.py; 6–7 ms one at a time). A reader sees what it would have seen; it skips
(PostgreSQL: SKIP LOCKED) a marked record another transaction is writing, as it would not see that write either,
and settles it at its next read."""
import json
from collections import Counter
from datetime import date
from itertools import chain

from sqlalchemy import (
    Integer,
    String,
    any_,
    bindparam,
    case,
    cast,
    event,
    false,
    func,
    inspect,
    literal,
    null,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.core.extensions import db
from webapp.domain import dashboard as dash
from webapp.domain.status import PART_DONE, RecordStatus
from webapp.stages.directory.models import Entity
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.review import parts as review_parts
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


class DashboardStale(db.Model):
    """Records whose facts their commit did not refresh (`LATER`): `settle` refreshes them and drops the mark."""
    __tablename__ = "dashboard_stale"
    record_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


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


def _facts(among, dialect: str):
    """The facts of the records `among` picks (a function of an id column), one row per record and section."""
    team = select(M.record_id, func.count().label("size")).where(among(M.record_id)) \
        .group_by(M.record_id).subquery("team")
    size = func.coalesce(team.c.size, 0)
    done = select(P.record_id, func.count().label("parts"),
                  func.sum(case((P.status.in_([s.value for s in PART_DONE]), 1), else_=0)).label("done")) \
        .where(among(P.record_id)).group_by(P.record_id).subquery("done")
    complete = case((done.c.parts > 0, done.c.parts == done.c.done), else_=R.status == RecordStatus.PUBLISHED.value)
    short = _short(R.understaffed, size)

    # The sections of each record: 0, the whole plan's (no part), and one per department of its parts, made or
    # to be made (`pairs`), read in one select over their union: written out for each branch, the statement was
    # past the 4,096 bytes up to which psycopg keeps a statement's parsing, and was parsed again at every commit.
    pairs = review_parts.department_pairs(among, dialect)
    sections = select(R.id.label("record_id"), literal(0, Integer).label("section"),
                      cast(null(), String).label("status")).where(among(R.id)) \
        .union_all(select(pairs.c.record_id, pairs.c.department_id, pairs.c.status)).subquery("section")
    mapped = case((R.status != RecordStatus.DISPATCHED.value, R.status), else_=null())  # a part not made yet
    part = case((sections.c.section == 0, cast(null(), String)), else_=func.coalesce(sections.c.status, mapped))
    return select(R.id, sections.c.section, R.plan_id, R.entity_id, R.status, part, Entity.risk_level,
                  R.submitted_at.is_not(None), R.late, R.sync_due, R.result_codes, size, R.understaffed, short,
                  complete) \
        .select_from(sections).join(R, R.id == sections.c.record_id).join(Entity, Entity.id == R.entity_id) \
        .outerjoin(team, team.c.record_id == R.id).outerjoin(done, done.c.record_id == R.id)


def _short(understaffed, size):
    return case((understaffed.is_(True), true()), (size < dash.MIN_TEAM, true()), else_=false())


def _upsert(connection):
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(DashboardCount)


def refresh(connection, records, locked=frozenset()) -> None:
    """Recompute the facts of these records (ids) and move the counts by the difference. `locked`: those of them
    this transaction has already locked (written, on PostgreSQL), which need no second lock."""
    ordered = sorted(records)
    for start in range(0, len(ordered), CHUNK):
        _refresh(connection, ordered[start:start + CHUNK], locked)


def _among(connection, ids):
    """`column IN ids`; on PostgreSQL `column = ANY(:ids)`, one array for any number of ids."""
    if connection.dialect.name != "postgresql":
        return lambda column: column.in_(ids)
    array = bindparam("ids", ids, type_=postgresql.ARRAY(Integer))
    return lambda column: column == any_(array)


_STATEMENTS: dict[str, dict] = {}


def _statements(dialect: str) -> dict:
    """The refresh's statements, built once per dialect over one parameter `ids` (an array on PostgreSQL, an
    expanding IN elsewhere): building the union of `_facts` anew for every commit cost more than running it."""
    if dialect not in _STATEMENTS:
        if dialect == "postgresql":
            array = bindparam("ids", type_=postgresql.ARRAY(Integer))

            def among(column):
                return column == any_(array)
        else:
            listed = bindparam("ids", expanding=True)

            def among(column):
                return column.in_(listed)
        cols = [F.plan_id, F.section, *(getattr(F, name) for name in KEYED)]
        names = [c.name for c in F.__table__.columns]
        upsert = (postgresql if dialect == "postgresql" else sqlite).insert(DashboardCount)
        _STATEMENTS[dialect] = {
            "lock": select(R.id).where(among(R.id)).order_by(R.id).with_for_update(),
            "delete": F.__table__.delete().where(among(F.record_id)).returning(*cols),
            "insert": F.__table__.insert().from_select(names, _facts(among, dialect)).returning(*cols),
            "upsert": upsert.on_conflict_do_update(index_elements=["plan_id", "section", "key"],
                                                   set_={"n": DashboardCount.n + upsert.excluded.n}),
            "mark": (postgresql if dialect == "postgresql" else sqlite).insert(DashboardStale)
            .on_conflict_do_nothing(index_elements=["record_id"]),
            "unmark": DashboardStale.__table__.delete().where(among(DashboardStale.record_id)),
        }
    return _STATEMENTS[dialect]


def _refresh(connection, records, locked=frozenset()) -> None:
    dialect = connection.dialect.name
    statements, ids = _statements(dialect), {"ids": records}
    if dialect == "postgresql" and not locked.issuperset(records):
        connection.execute(statements["lock"], ids)
    delta = Counter()
    for row in connection.execute(statements["delete"], ids):
        delta[(row[0], row[1], _facts_of(row))] -= 1
    for row in connection.execute(statements["insert"], ids):
        delta[(row[0], row[1], _facts_of(row))] += 1
    moved = sorted(({"plan_id": p, "section": s, "key": key(f), "n": n} for (p, s, f), n in delta.items() if n),
                   key=lambda m: (m["plan_id"], m["section"], m["key"]))  # one order: no deadlock between writers
    if moved:
        connection.execute(statements["upsert"], moved)


# ---- every session's commit refreshes what it wrote ------------------------------------------------------------
# The columns the facts are made of, per table: a row written without changing one of them changes no fact.
COUNTED = {
    R.__table__: frozenset({"plan_id", "entity_id", "status", "submitted_at", "late", "sync_due", "result_codes",
                            "understaffed", "findings"}),  # findings: the sections of a record without parts
    M.__table__: frozenset({"record_id", "department_id"}),  # the team's size; a record without findings, its sections
    P.__table__: frozenset({"record_id", "department_id", "status"}),
    Entity.__table__: frozenset({"risk_level"}),
}
HINT = "dashboard_records"  # an ORM bulk UPDATE of records may name the records it writes (at most these)
LATER = "dashboard_later"  # with HINT: mark them at the commit (dashboard_stale), refreshed by dashboard_reads


def _touched(session) -> dict:
    return session.info.setdefault("dashboard", {"records": set(), "entities": set(), "plans": set(),
                                                 "locked": set(), "later": set()})


def _changed(obj, names) -> bool:
    """Whether the flush wrote a new value to one of `names`."""
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _flushed(session, _context):
    touched = _touched(session)
    for obj in chain(session.new, session.deleted):
        if isinstance(obj, R):
            touched["records"].add(obj.id)
            if obj in session.new:
                touched["locked"].add(obj.id)  # inserted by this transaction: no other sees it
        elif isinstance(obj, (M, P)):
            touched["records"].add(obj.record_id)
    for obj in session.dirty:  # history still holds what this flush wrote (SQLAlchemy: after_flush)
        if isinstance(obj, R):
            if _changed(obj, COUNTED[R.__table__]):
                touched["records"].add(obj.id)
                touched["locked"].add(obj.id)  # the flush updated its row: locked until the commit
        elif isinstance(obj, (M, P)):
            if _changed(obj, COUNTED[obj.__table__]):  # moved to another record: it counts on both
                attrs = inspect(obj).attrs
                touched["records"].update({obj.record_id, *attrs.record_id.history.deleted,
                                           *(r.id for r in attrs.record.history.deleted if r is not None)})
        elif isinstance(obj, Entity) and _changed(obj, COUNTED[Entity.__table__]):
            touched["entities"].add(obj.id)  # re-rated (a new enterprise has no records yet)


BULK = {R.__table__: R.id, M.__table__: M.record_id, P.__table__: P.record_id, Entity.__table__: Entity.id}
_TABLES = {table: table for table in BULK}


def _writes_counted(state, table, params) -> bool:
    """Whether the bulk statement deletes rows or sets a counted column (what it cannot tell, it counts)."""
    values = getattr(state.statement, "_values", None)
    ordered = getattr(state.statement, "_ordered_values", None)
    if state.is_delete or not (values or ordered or params):
        return True
    names = {getattr(column, "key", column) for column in chain(values or (), (c for c, _ in ordered or ()))}
    for p in params or ():
        names.update(p)
    return bool(names & COUNTED[table])


@event.listens_for(Session, "do_orm_execute")
def _bulk(state):
    """ORM bulk UPDATE and DELETE (by criteria or by primary key) of counted columns: the rows they will write are
    read first, unless the statement names them (`HINT`); an UPDATE of other columns only is not followed."""
    if not (state.is_update or state.is_delete):
        return None
    table = _TABLES.get(state.statement.table)  # the plain table (an ORM statement's is an annotated copy)
    if table is None:
        return None
    params = state.parameters if isinstance(state.parameters, list) else None
    if not _writes_counted(state, table, params):
        return None
    touched = _touched(state.session)
    hinted = state.execution_options.get(HINT)
    if hinted is not None and table is R.__table__ and not params:
        hinted = set(hinted)
        if state.execution_options.get(LATER):
            touched["later"].update(hinted)
            return None
        touched["records"].update(hinted)
        result = state.invoke_statement()
        if state.is_update and result.rowcount == len(hinted):
            touched["locked"].update(hinted)  # every one of them updated: their rows are locked
        return result
    which = _among(state.session.get_bind(), [p["id"] for p in params])(table.c.id) if params \
        else state.statement.whereclause
    query = select(BULK[table]) if which is None else select(BULK[table]).where(which)
    touched["entities" if table is Entity.__table__ else "records"].update(state.session.scalars(query))
    return None


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
    later = touched["later"] - records
    if not (records or later or touched["entities"] or touched["plans"]):
        return
    connection = session.connection()
    if later:
        connection.execute(_statements(connection.dialect.name)["mark"], [{"record_id": i} for i in sorted(later)])
    if touched["entities"]:
        of_entities = _among(connection, sorted(touched["entities"]))
        records.update(connection.scalars(select(R.id).where(of_entities(R.entity_id))))
    if touched["plans"]:
        plans = sorted(touched["plans"])
        records.update(connection.scalars(select(R.id).where(R.plan_id.in_(plans))))
        records.update(connection.scalars(select(F.record_id).where(F.plan_id.in_(plans))))
    refresh(connection, records, touched["locked"])


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    """A transaction rolled back takes what it noted with it: not refreshed, marked or taken for locked later."""
    if transaction.parent is None:
        session.info.pop("dashboard", None)


def rebuild(connection) -> None:
    """Both tables from the records (migration 0030; a benchmark that wrote its records with SQL)."""
    connection.execute(DashboardCount.__table__.delete())
    connection.execute(F.__table__.delete())  # a mark left (dashboard_stale) settles to no change
    refresh(connection, set(connection.scalars(select(R.id))))
