"""Gathering the dashboard: the plan's records as plain facts, per department, plus deadlines and feedback."""
from datetime import date

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.core.extensions import db
from webapp.domain import charts, results, risk, roles
from webapp.domain import dashboard as dash
from webapp.domain.status import overall
from webapp.stages.accounts.models import User
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import Plan
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.review import parts as review_parts
from webapp.stages.review import service as review
from webapp.stages.review.models import Feedback

SHORT = {
    "no_problem": "未发现问题", "not_disclosed": "未按规定公示", "false_disclosure": "公示弄虚作假",
    "unreachable": "无法联系", "obstructed": "不配合检查", "no_activity": "无相关经营",
    "corrected": "已责令改正", "follow_up": "待后续处理", "closed": "停业/清算", "deregistered": "已注销",
    "revoked_licence": "已吊销", "cancelled": "已撤销", "moved_out": "已迁出",
}


def scope(user) -> int | None:
    """None: the office sees every department; else the user's own department."""
    return None if user.has_role(roles.OFFICE_ADMIN) else user.department_id


def plan_records(plan_id: int, department_id: int | None) -> list[InspectionRecord]:
    query = (select(InspectionRecord).where(InspectionRecord.plan_id == plan_id)
             .options(selectinload(InspectionRecord.members).selectinload(RecordMember.inspector),
                      selectinload(InspectionRecord.members).selectinload(RecordMember.department),
                      selectinload(InspectionRecord.entity))
             .order_by(InspectionRecord.id))
    if department_id is not None:
        query = query.where(InspectionRecord.id.in_(
            select(RecordMember.record_id).where(RecordMember.department_id == department_id)))
    return db.session.scalars(query).all()


def facts_of(r: InspectionRecord, part=None) -> dash.RecordFacts:
    """The record's facts; with `part`, as its department sees it (its part's status: 谁抽查、谁录入、谁公示)."""
    status = r.status if part is None else overall([part.status])
    return dash.RecordFacts(
        id=r.id, entity=r.entity.name, status=status, risk_level=r.entity.risk_level,
        departments=frozenset(m.department_id for m in r.members), submitted=r.submitted_at is not None,
        late=r.late, sync_due=r.sync_due, result_codes=tuple(r.result_codes or ()),
        understaffed=r.understaffed, team_size=len(r.members),
    )


def draw_progress(plan: Plan) -> dict:
    """Objects drawn for the plan and, per department, how many remain after its 比对和确认 (None: not yet)."""
    from webapp.stages.draw import ceremony as draws

    drawn = draws.entity_draw(plan.id)
    if drawn is None:
        return {"drawn": 0, "confirmed": {}, "all_confirmed": 0, "pending": []}
    total = len(drawn.result["selected"])
    confirmed = {c.department_id: (total - len(c.exclusions) if c.confirmed_at else None)
                 for c in drawn.confirmations}
    pending = [c.department.name for c in drawn.confirmations if c.confirmed_at is None]
    keep, _ = draws.confirmed_list(plan)
    return {"drawn": total, "confirmed": confirmed, "all_confirmed": 0 if pending else len(keep),
            "pending": pending}


def _section(title: str, facts, today, calendar, plan, publication, drawn=0, confirmed=0) -> dict:
    counts = dash.stage_counts(facts, drawn, confirmed or 0)
    matrix = dash.categories_by_risk(facts)
    used = [code for code in results.CATEGORIES if sum(matrix[code].values())]
    return {
        "title": title,
        "counts": counts,
        "stages": dash.STAGES,
        "stage_chart": Markup(charts.bar_chart(f"{title}：各环节数量",
                                               [(label, counts[code]) for code, label in dash.STAGES])),
        "matrix": matrix,
        "used_codes": used,
        "category_chart": Markup(charts.stacked_bars(
            f"{title}：检查结果类别（按风险等级）",
            [(SHORT[c], [matrix[c][lvl] for lvl in risk.LEVELS]) for c in used],
            [risk.LABELS[lvl] for lvl in risk.LEVELS])) if used else None,
        "at_risk": dash.deadline_risks(facts, today, calendar, plan.window_end, publication),
        "understaffed": dash.understaffed(facts),
    }


def build(user, plan: Plan, today: date) -> dict:
    calendar = current_calendar()
    publication = dash.publication_deadline(calendar, plan.window_end, plan.publish_days)
    own = scope(user)
    records = plan_records(plan.id, own)
    facts = [facts_of(r) for r in records]
    parts = review_parts.parts_for(records)
    departments = [pd.department for pd in plan.departments if own is None or pd.department_id == own]
    progress = draw_progress(plan)
    sections = []
    if own is None:
        sections.append(_section("全部部门", facts, today, calendar, plan, publication, progress["drawn"],
                                 progress["all_confirmed"]))
    for d in departments:
        own_facts = []
        for r, f in zip(records, facts):
            if d.id not in f.departments:
                continue
            part = next((p for p in parts[r.id] if p.department_id == d.id), None)
            own_facts.append(facts_of(r, part) if part is not None else f)
        sections.append(_section(d.name, own_facts, today, calendar, plan,
                                 publication, progress["drawn"], progress["confirmed"].get(d.id)))
    return {
        "plan": plan, "publication": publication, "sections": sections, "pending_confirmations": progress["pending"],
        "feedback": feedback_for(plan.id, own),
        "publication_left": dash.workdays_left(calendar, today, publication.due),
        # Parts waiting per department (review, returned, publication); complete: every part published or withdrawn.
        "parts_waiting": [w for w in review.waiting_by_department(records)
                          if own is None or w["department_id"] == own],
        "complete": sum(1 for r in records if review_parts.complete(parts[r.id])),
    }


def feedback_for(plan_id: int, department_id: int | None) -> list[Feedback]:
    query = select(Feedback).where(Feedback.plan_id == plan_id).order_by(Feedback.at.desc(), Feedback.id.desc())
    if department_id is not None:
        query = query.join(User, User.id == Feedback.user_id).where(User.department_id == department_id)
    return db.session.scalars(query).all()
