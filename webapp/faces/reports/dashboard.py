"""Gathering the dashboard: the plan's records as plain facts, per department, plus deadlines and feedback."""
from datetime import date

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload, undefer

from webapp.core.extensions import db
from webapp.domain import charts, results, risk, roles
from webapp.domain import dashboard as dash
from webapp.domain import draw as algo
from webapp.stages.accounts.models import Department, User
from webapp.stages.draw.models import Draw, DrawConfirmation
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import Plan, PlanDepartment
from webapp.stages.publication.board import LISTED, Board
from webapp.stages.records.models import InspectionRecord, RecordMember
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
    """The plan's records as objects with their teams and entities, for the exports (the dashboard counts in SQL)."""
    query = (select(InspectionRecord).where(InspectionRecord.plan_id == plan_id)
             .options(selectinload(InspectionRecord.members).selectinload(RecordMember.inspector),
                      selectinload(InspectionRecord.members).selectinload(RecordMember.department),
                      selectinload(InspectionRecord.entity))
             .order_by(InspectionRecord.id))
    if department_id is not None:
        query = query.where(InspectionRecord.id.in_(
            select(RecordMember.record_id).where(RecordMember.department_id == department_id)))
    return db.session.scalars(query).all()


def draw_progress(plan: Plan, departments: list[int]) -> dict:
    """Objects drawn for the plan and, per department, how many remain after its 比对和确认 (None: not yet); with
    every department confirmed, how many remain on the list (`departments` the plan's: the rule of
    webapp.stages.draw.ceremony.confirmed_list, counted from the exclusions rather than the million chosen)."""
    found = db.session.execute(  # the draw, its counts (how many it chose), confirmations and exclusions: one statement
        select(Draw).where(Draw.plan_id == plan.id, Draw.kind == algo.ENTITIES, Draw.live == 1,
                           Draw.status == "executed")
        .options(undefer(Draw.outcome), joinedload(Draw.confirmations).joinedload(DrawConfirmation.exclusions),
                 joinedload(Draw.confirmations).joinedload(DrawConfirmation.department))).unique().first()
    if found is None:
        return {"drawn": 0, "confirmed": {}, "all_confirmed": 0, "pending": []}
    drawn = found[0]
    total = int((drawn.outcome or {}).get("drawn", 0))
    confirmed = {c.department_id: (total - len(c.exclusions) if c.confirmed_at else None)
                 for c in drawn.confirmations}
    pending = [c.department.name for c in drawn.confirmations if c.confirmed_at is None]
    removed, not_ours = set(), {}
    for c in drawn.confirmations:
        for ex in c.exclusions:
            if ex.reason_code == "not_ours":
                not_ours.setdefault(ex.uscc, set()).add(c.department_id)
            else:
                removed.add(ex.uscc)
    removed |= {uscc for uscc, by in not_ours.items() if by >= set(departments)}
    return {"drawn": total, "confirmed": confirmed, "all_confirmed": 0 if pending else total - len(removed),
            "pending": pending}


def _section(title: str, facts, risks, listed_short, today, calendar, plan, publication, drawn=0,
             confirmed=0) -> dict:
    counts = dash.stage_counts(facts, drawn, confirmed or 0)
    matrix = dash.categories_by_risk(facts)
    used = [code for code in results.CATEGORIES if sum(matrix[code].values())]
    at_risk, at_risk_total = risks
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
        "at_risk": at_risk,
        "at_risk_total": at_risk_total,
        "understaffed": listed_short,
        "understaffed_total": sum(f.count for f in dash.understaffed(facts)),
    }


def build(user, plan: Plan, today: date) -> dict:
    """The plan's dashboard in a fixed number of statements, from the counts kept as records change
    (webapp.stages.publication.board)."""
    calendar = current_calendar()
    publication = dash.publication_deadline(calendar, plan.window_end, plan.publish_days)
    own = scope(user)
    board = Board(plan, own)
    facts = board.facts()
    risks, short = board.lists(today, calendar, publication)
    taking_part = (select(Department).join(PlanDepartment, PlanDepartment.department_id == Department.id)
                   .where(PlanDepartment.plan_id == plan.id).order_by(PlanDepartment.position, PlanDepartment.id))
    departments = db.session.scalars(taking_part if own is None else taking_part.where(Department.id == own)).all()
    progress = draw_progress(plan, [d.id for d in departments])
    sections = []
    if own is None:
        sections.append(_section("全部部门", facts.get(None, []), risks.get(None, ([], 0)), short.get(None, []),
                                 today, calendar, plan, publication, progress["drawn"], progress["all_confirmed"]))
    for d in departments:
        sections.append(_section(d.name, facts.get(d.id, []), risks.get(d.id, ([], 0)), short.get(d.id, []),
                                 today, calendar, plan, publication, progress["drawn"], progress["confirmed"].get(d.id)))
    return {
        "plan": plan, "records": sum(f.count for f in facts.get(own, [])),  # in scope (the office: section None)
        "publication": publication, "sections": sections, "pending_confirmations": progress["pending"],
        "feedback": feedback_for(plan.id, own),
        "publication_left": dash.workdays_left(calendar, today, publication.due),
        "listed": LISTED,
        # Parts waiting per department (review, returned, publication); complete: every part published or withdrawn.
        "parts_waiting": board.parts_waiting({d.id: d.name for d in departments}),
        "complete": board.complete(),
    }


def feedback_for(plan_id: int, department_id: int | None) -> list[Feedback]:
    query = select(Feedback).where(Feedback.plan_id == plan_id).order_by(Feedback.at.desc(), Feedback.id.desc())
    if department_id is not None:
        query = query.join(User, User.id == Feedback.user_id).where(User.department_id == department_id)
    return db.session.scalars(query).all()
