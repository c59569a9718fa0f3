"""Annual plans (年度抽查计划): made and edited by their jurisdiction's office, tasks linked, filed to the level
above (报上级备案), published. Reads are scoped by the jurisdictions a user may see."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.domain import normalise
from webapp.domain.refusal import Refused
from webapp.stages.accounts.jurisdictions import below, visible_ids
from webapp.stages.accounts.models import Department, Jurisdiction
from webapp.stages.plans.models import AnnualPlan, AnnualPlanDepartment, Plan


class AnnualRefused(Refused):
    status = 409


@dataclass
class AnnualInput:
    year: int = 0
    doc_number: str = ""
    title: str = ""
    issuer: str = ""
    issued_on: date | None = None
    planned_tasks: int = 0
    notes: str = ""
    department_ids: list[int] = field(default_factory=list)


def parse(form, choosable: set[int]) -> tuple[AnnualInput, dict[str, str]]:
    """The form's values and, per field, what is wrong with them (in Chinese)."""
    p, errors = AnnualInput(), {}
    raw = (form.get("year") or "").strip()
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        p.year = int(raw)
    else:
        errors["year"] = "年度应为四位年份。"
    p.doc_number = normalise.clean_text(form.get("doc_number", ""))[:64]
    if not p.doc_number:
        errors["doc_number"] = "请填写文号，如 保莲双随机办〔2023〕4号。"
    p.title = normalise.clean_text(form.get("title", ""))[:200]
    if not p.title:
        errors["title"] = "请填写计划名称。"
    p.issuer = normalise.clean_text(form.get("issuer", ""))[:200]
    raw = (form.get("issued_on") or "").strip()
    if raw:
        try:
            p.issued_on = date.fromisoformat(raw)
        except ValueError:
            errors["issued_on"] = "印发日期格式应为 2023-03-01。"
    raw = (form.get("planned_tasks") or "0").strip()
    if raw.isdigit() and int(raw) <= 500:
        p.planned_tasks = int(raw)
    else:
        errors["planned_tasks"] = "计划任务数应为 0 到 500 之间的整数。"
    p.notes = (form.get("notes") or "").strip()[:4000]
    ids = []
    for value in form.getlist("departments"):
        if value.isdigit() and int(value) in choosable and int(value) not in ids:
            ids.append(int(value))
    if not ids:
        errors["departments"] = "请至少选择一个参与部门。"
    p.department_ids = ids
    return p, errors


def visible(user):
    """The annual plans `user` may read: their jurisdiction's and those below it."""
    ids = visible_ids(user)
    return select(AnnualPlan).where(AnnualPlan.jurisdiction_id.in_(ids or [-1]))


def listed(user) -> list[AnnualPlan]:
    return db.session.scalars(visible(user).order_by(AnnualPlan.year.desc(), AnnualPlan.id.desc())).all()


def get(user, annual_id: int) -> AnnualPlan | None:
    """The annual plan if `user` may read it, else None (the caller answers 404: guessing an id reveals nothing)."""
    return db.session.scalar(visible(user).where(AnnualPlan.id == annual_id))


def may_administer(user, annual: AnnualPlan) -> bool:
    """Only the annual plan's own office administers it; the levels above read it."""
    return user.jurisdiction_id is not None and user.jurisdiction_id == annual.jurisdiction_id


def departments_of(jurisdiction_id: int) -> list[Department]:
    return db.session.scalars(select(Department).where(Department.jurisdiction_id == jurisdiction_id)
                              .order_by(Department.id)).all()


def save(annual: AnnualPlan | None, p: AnnualInput, jurisdiction_id: int, user=None) -> AnnualPlan:
    creating = annual is None
    clash = db.session.scalar(select(AnnualPlan.id).where(
        AnnualPlan.jurisdiction_id == (annual.jurisdiction_id if annual else jurisdiction_id),
        AnnualPlan.doc_number == p.doc_number, AnnualPlan.id != (annual.id if annual else -1)))
    if clash:
        raise AnnualRefused(f"本辖区已有文号为“{p.doc_number}”的年度计划（第 {clash} 号）。", 422)
    if creating:
        annual = AnnualPlan(jurisdiction_id=jurisdiction_id, created_by_id=getattr(user, "id", None))
        db.session.add(annual)
    for name in ("year", "doc_number", "title", "issuer", "issued_on", "planned_tasks", "notes"):
        setattr(annual, name, getattr(p, name))
    existing = {d.department_id: d for d in annual.departments}
    annual.departments = [existing.get(i) or AnnualPlanDepartment(department_id=i) for i in p.department_ids]
    for position, d in enumerate(annual.departments):
        d.position = position
    db.session.flush()
    audit.record("annual.create" if creating else "annual.edit", annual, user=user, doc_number=annual.doc_number,
                 year=annual.year, departments=p.department_ids, planned_tasks=annual.planned_tasks)
    return annual


def link_task(annual: AnnualPlan, plan: Plan, user=None) -> Plan:
    """Make `plan` a task of the annual plan: a plan of the same year whose departments take part."""
    if plan.annual_plan_id is not None and plan.annual_plan_id != annual.id:
        raise AnnualRefused(f"“{plan.doc_number}”已是另一年度计划的任务。")
    if plan.window_start.year != annual.year:
        raise AnnualRefused(f"“{plan.doc_number}”的检查时间在 {plan.window_start.year} 年，不属于 {annual.year} 年度计划。")
    taking_part = {d.department_id for d in annual.departments}
    outside = [pd.department.name for pd in plan.departments if pd.department_id not in taking_part]
    if outside:
        raise AnnualRefused(f"以下部门不在年度计划的参与部门中：{'、'.join(outside)}。请先修改年度计划。")
    plan.annual_plan_id = annual.id
    db.session.flush()
    audit.record("annual.task", annual, user=user, plan=plan.id, doc_number=plan.doc_number)
    return plan


def unlink_task(annual: AnnualPlan, plan: Plan, user=None) -> Plan:
    if plan.annual_plan_id != annual.id:
        raise AnnualRefused("该计划不是本年度计划的任务。")
    plan.annual_plan_id = None
    db.session.flush()
    audit.record("annual.untask", annual, user=user, plan=plan.id)
    return plan


def linkable(annual: AnnualPlan) -> list[Plan]:
    """Plans not yet in any annual plan whose lead department is of its jurisdiction (the year is checked on
    linking, with a message)."""
    return db.session.scalars(
        select(Plan).join(Department, Department.id == Plan.lead_department_id)
        .where(Plan.annual_plan_id.is_(None), Department.jurisdiction_id == annual.jurisdiction_id)
        .order_by(Plan.window_start, Plan.id)).all()


def file(annual: AnnualPlan, user=None, on: date | None = None) -> AnnualPlan:
    """报上级备案: the date, who filed it, and to which level (the jurisdiction above)."""
    if annual.filed_on is not None:
        raise AnnualRefused(f"已于 {annual.filed_on:%Y-%m-%d} 报上级备案。")
    parent = db.session.get(Jurisdiction, annual.jurisdiction.parent_id) if annual.jurisdiction.parent_id else None
    if parent is None:
        raise AnnualRefused("本辖区没有上级，无需报备。")
    annual.filed_on = on or clock.today()
    annual.filed_by_id = getattr(user, "id", None)
    annual.filed_to_id = parent.id
    db.session.flush()
    audit.record("annual.file", annual, user=user, filed_on=annual.filed_on.isoformat(), to=parent.code)
    return annual


def publish(annual: AnnualPlan, user=None) -> AnnualPlan:
    """Make the annual plan public (its document number, year, departments and tasks: nothing that announces a
    visit)."""
    if annual.published_at is not None:
        raise AnnualRefused("年度计划已公开。")
    annual.published_at = clock.utcnow()
    db.session.flush()
    audit.record("annual.publish", annual, user=user)
    return annual


def public(jurisdiction_id: int | None = None) -> list[AnnualPlan]:
    """What is public of the annual programme: the published annual plans (optionally of one jurisdiction and
    those below it), newest year first. For the public pages (issue 15)."""
    query = select(AnnualPlan).where(AnnualPlan.published_at.is_not(None))
    if jurisdiction_id is not None:
        query = query.where(AnnualPlan.jurisdiction_id.in_(below(jurisdiction_id)))
    return db.session.scalars(query.order_by(AnnualPlan.year.desc(), AnnualPlan.id.desc())).all()


def published(annual_id: int) -> AnnualPlan | None:
    """The annual plan if it is public, else None (an unpublished one does not exist for the public: 404)."""
    return db.session.scalar(select(AnnualPlan).where(AnnualPlan.id == annual_id,
                                                      AnnualPlan.published_at.is_not(None)))


def published_task(annual_id: int, plan_id: int) -> Plan | None:
    """A task of a published annual plan, else None."""
    return db.session.scalar(select(Plan).join(AnnualPlan, AnnualPlan.id == Plan.annual_plan_id).where(
        Plan.id == plan_id, AnnualPlan.id == annual_id, AnnualPlan.published_at.is_not(None)))


def public_view(annual: AnnualPlan) -> dict:
    """The public fields of a published annual plan."""
    return {
        "id": annual.id, "jurisdiction": annual.jurisdiction.name, "code": annual.jurisdiction.code,
        "year": annual.year, "doc_number": annual.doc_number, "title": annual.title, "issuer": annual.issuer,
        "issued_on": clock.iso(annual.issued_on), "planned_tasks": annual.planned_tasks,
        "departments": [d.department.name for d in annual.departments],
        "tasks": [{"doc_number": t.doc_number, "title": t.title, "window_start": t.window_start.isoformat(),
                   "window_end": t.window_end.isoformat()} for t in annual.tasks],
        "filed_on": clock.iso(annual.filed_on), "published_at": clock.iso(annual.published_at),
    }
