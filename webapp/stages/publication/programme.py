"""The annual plan's progress, per task and per department, counted in SQL (a handful of GROUP BY queries,
whatever the number of records): drawn, dispatched, inspected, entered on time, reviewed, published; the rates
and countdowns are `webapp.domain.programme`'s.

Per task: drawn = the objects' draw's selection; the others count the task's 一企一表 records. Per department:
drawn = the task's drawn (one list for all departments); dispatched, inspected, entered on time = the records
on which the department has a drawn team; reviewed and published = the department's own parts (谁抽查、谁公示)."""
from datetime import date

from sqlalchemy import and_, case, distinct, func, literal_column, select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import programme
from webapp.domain.status import PartStatus, RecordStatus
from webapp.stages.draw.models import Draw
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import AnnualPlan, PlanDepartment
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.review.models import ReviewPart

REVIEWED = (RecordStatus.APPROVED.value, RecordStatus.PUBLISHED.value)
PART_REVIEWED = (PartStatus.APPROVED.value, PartStatus.PUBLISHED.value)


def _selected_count():
    """How many the draw selected (`result.drawn`), in the dialect's JSON functions."""
    if db.engine.dialect.name == "postgresql":
        return literal_column("(draws.result ->> 'drawn')::int")
    return literal_column("json_extract(draws.result, '$.drawn')")


def _zero() -> dict:
    return {name: 0 for name in programme.FIGURES}


def _finish(figures: dict) -> dict:
    figures.update(programme.rates(figures))
    return figures


def figures(plan_ids, today: date | None = None) -> dict:
    """{"tasks": {plan_id: figures}, "departments": {(plan_id, department_id): figures}}; each figures dict has
    the counts of `programme.FIGURES`, `entry_overdue` for a task, and the three rates."""
    plan_ids = list(plan_ids)
    today = today or clock.today()
    tasks = {i: dict(_zero(), entry_overdue=0) for i in plan_ids}
    departments: dict[tuple[int, int], dict] = {}
    if not plan_ids:
        return {"tasks": tasks, "departments": departments}
    R = InspectionRecord
    inspected = R.status != RecordStatus.DISPATCHED.value
    for plan_id, n in db.session.execute(
            select(Draw.plan_id, _selected_count()).where(
                Draw.plan_id.in_(plan_ids), Draw.kind == algo.ENTITIES, Draw.live == 1, Draw.status == "executed")):
        tasks[plan_id]["drawn"] = int(n or 0)
    for plan_id, n, done, on_time, reviewed, published, overdue in db.session.execute(
            select(R.plan_id, func.count(), func.sum(case((inspected, 1), else_=0)),
                   func.sum(case((and_(inspected, R.late.is_(False)), 1), else_=0)),
                   func.sum(case((R.status.in_(REVIEWED), 1), else_=0)),
                   func.sum(case((R.status == RecordStatus.PUBLISHED.value, 1), else_=0)),
                   func.sum(case((R.late.is_(True), 1),
                                 (and_(R.status == RecordStatus.DISPATCHED.value, R.sync_due < today), 1), else_=0)))
            .where(R.plan_id.in_(plan_ids)).group_by(R.plan_id)):
        tasks[plan_id].update(dispatched=n, inspected=int(done or 0), on_time=int(on_time or 0),
                              reviewed=int(reviewed or 0), published=int(published or 0), entry_overdue=int(overdue or 0))

    for plan_id, department_id in db.session.execute(
            select(PlanDepartment.plan_id, PlanDepartment.department_id).where(PlanDepartment.plan_id.in_(plan_ids))):
        departments[(plan_id, department_id)] = dict(_zero(), drawn=tasks[plan_id]["drawn"])
    M = RecordMember
    for plan_id, department_id, n, done, on_time in db.session.execute(
            select(R.plan_id, M.department_id, func.count(distinct(R.id)),
                   func.count(distinct(case((inspected, R.id), else_=None))),
                   func.count(distinct(case((and_(inspected, R.late.is_(False)), R.id), else_=None))))
            .join(M, and_(M.record_id == R.id, M.kind == "drawn"))
            .where(R.plan_id.in_(plan_ids)).group_by(R.plan_id, M.department_id)):
        row = departments.setdefault((plan_id, department_id), dict(_zero(), drawn=tasks[plan_id]["drawn"]))
        row.update(dispatched=n, inspected=done, on_time=on_time)
    P = ReviewPart
    for plan_id, department_id, reviewed, published in db.session.execute(
            select(R.plan_id, P.department_id, func.sum(case((P.status.in_(PART_REVIEWED), 1), else_=0)),
                   func.sum(case((P.status == PartStatus.PUBLISHED.value, 1), else_=0)))
            .join(P, P.record_id == R.id).where(R.plan_id.in_(plan_ids)).group_by(R.plan_id, P.department_id)):
        row = departments.setdefault((plan_id, department_id), dict(_zero(), drawn=tasks[plan_id]["drawn"]))
        row.update(reviewed=int(reviewed or 0), published=int(published or 0))
    for row in tasks.values():
        _finish(row)
    for row in departments.values():
        _finish(row)
    return {"tasks": tasks, "departments": departments}


def totals(rows) -> dict:
    """The sum of several figures dicts (a department over the tasks), with its rates."""
    out = _zero()
    for row in rows:
        for name in programme.FIGURES:
            out[name] += row.get(name, 0)
    return _finish(out)


def progress(annual: AnnualPlan, today: date | None = None) -> dict:
    """Everything the annual plan's page shows: per task its figures, its departments' and its two time limits
    (entry: records overdue; publication: within `publish_days` working days of the end of the check, counted
    down and flagged when missed); per department the totals over the tasks it takes part in."""
    today = today or clock.today()
    tasks = list(annual.tasks)
    got = figures([t.id for t in tasks], today)
    calendar = current_calendar()
    out_tasks = []
    for t in tasks:
        f = got["tasks"][t.id]
        finished = f["inspected"] > 0 and f["published"] >= f["inspected"]
        out_tasks.append({
            "plan": t, "figures": f,
            "departments": [(pd.department, got["departments"].get((t.id, pd.department_id), _finish(_zero())))
                            for pd in t.departments],
            "publication": programme.countdown(calendar, t.window_end, t.publish_days, today, done=finished),
            "check_open": today <= t.window_end,
        })
    by_department = []
    for d in annual.departments:
        rows = [row for (plan_id, department_id), row in got["departments"].items() if department_id == d.department_id]
        by_department.append((d.department, totals(rows)))
    return {"tasks": out_tasks, "departments": by_department,
            "total": totals(got["tasks"].values()), "today": today}
