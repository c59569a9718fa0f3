"""Plan pages: thin views over domain.planning (the form) and plans.eligibility (the preview)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.core import audit
from webapp.core.extensions import db
from webapp.domain import planning, roles
from webapp.faces.auth.gate import role_required
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department
from webapp.stages.directory.models import CheckItem
from webapp.stages.draw import visits
from webapp.stages.plans import eligibility, limits
from webapp.stages.plans.models import Plan, PlanDepartment, PlanItem

bp = Blueprint("plans", __name__, url_prefix="/plans")

VIEWERS = (roles.OFFICE_ADMIN, roles.DEPT_ADMIN)
PER_PAGE = 50


def _library() -> tuple[list[Department], dict[int, list[CheckItem]]]:
    departments = db.session.scalars(select(Department).order_by(Department.id)).all()
    items = {d.id: [] for d in departments}
    for item in db.session.scalars(select(CheckItem).where(CheckItem.active.is_(True))
                                   .order_by(CheckItem.department_id, CheckItem.position, CheckItem.id)):
        items[item.department_id].append(item)
    return departments, items


@bp.route("")
@role_required(*VIEWERS)
def index():
    plans = db.session.scalars(jurisdictions.scope(select(Plan), Plan.jurisdiction_id, current_user)
        .order_by(Plan.window_start.desc(), Plan.id.desc())).all()
    return render_template("plans/index.html", plans=plans)


@bp.route("/<int:plan_id>")
@role_required(*VIEWERS)
def show(plan_id):
    plan = jurisdictions.owned_or_404(Plan, plan_id, current_user)
    return render_template("plans/show.html", plan=plan, METHODS=CheckItem.METHODS)


def _form_values(plan: Plan | None) -> dict:
    """What the form shows first: the plan's values, or for a new one the 2023 plan's defaults with the entry and
    publication days of the office's jurisdiction (`plans.limits`)."""
    if plan is None:
        days = limits.of(current_user.jurisdiction_id)
        return {"ratio_high": 100, "ratio_higher": 80, "ratio_general": 50, "ratio_low": 20, "floor_percent": 5,
                "confirm_days": 5, "entry_days": days.entry_days, "publish_days": days.publish_days,
                "statuses": "合格", "category": "校外培训机构", "teams": {}, "items": {}, "lead_department_id": None}
    values = {c: getattr(plan, c) for c in planning.PlanInput().plan_fields()}
    values["statuses"] = "、".join(plan.statuses or [])
    values["teams"] = {d.department_id: d.team_size for d in plan.departments}
    values["items"] = {}
    for item in plan.items:
        values["items"].setdefault(item.department_id, []).append(item.source_item_id)
    return values


def _input_values(p: planning.PlanInput) -> dict:
    values = p.plan_fields()
    values["statuses"] = "、".join(p.statuses)
    values["teams"], values["items"] = p.teams, p.items
    return values


def _save(plan: Plan, p: planning.PlanInput):
    for name, value in p.plan_fields().items():
        setattr(plan, name, value)
    existing = {d.department_id: d for d in plan.departments}
    plan.departments = [
        existing.get(dept_id) or PlanDepartment(department_id=dept_id) for dept_id in p.teams
    ]
    for position, d in enumerate(plan.departments):
        d.team_size, d.position = p.teams[d.department_id], position
    # A kept item keeps its copy (the version the plan was made with); a newly chosen one is copied now.
    kept = {(i.department_id, i.source_item_id): i for i in plan.items}
    library = {i.id: i for i in db.session.scalars(select(CheckItem).where(
        CheckItem.id.in_([i for ids in p.items.values() for i in ids])))}
    items = []
    for dept_id in p.teams:
        for item_id in p.items.get(dept_id, []):
            copy = kept.get((dept_id, item_id)) or PlanItem.copy_of(library[item_id], 0)
            items.append(copy)
    for position, copy in enumerate(items):
        copy.position = position
    plan.items = items


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@role_required(roles.OFFICE_ADMIN)
def edit(plan_id=None):
    plan = jurisdictions.run_or_404(Plan, plan_id, current_user) if plan_id else None  # the city reads, not edits
    if plan is not None and not plan.editable:
        flash("计划已抽取或已结束，不能再修改。", "error")
        return redirect(url_for("plans.show", plan_id=plan.id))
    departments, library = _library()
    values, errors = _form_values(plan), {}
    if plan is not None:  # items the plan already holds stay choosable even if since deactivated
        for item in plan.items:
            if item.source_item_id and all(i.id != item.source_item_id for i in library[item.department_id]):
                source = db.session.get(CheckItem, item.source_item_id)
                if source:
                    library[item.department_id].append(source)
    if request.method == "POST":
        p, errors = planning.parse(request.form, {d: {i.id for i in items} for d, items in library.items()})
        if not errors:
            creating = plan is None
            plan = plan or Plan(status="draft", jurisdiction_id=current_user.jurisdiction_id)
            if creating:
                db.session.add(plan)
            _save(plan, p)
            db.session.flush()
            audit.record("plan.create" if creating else "plan.edit", plan, doc_number=plan.doc_number,
                         departments=p.teams, items=p.items)
            db.session.commit()
            flash("计划已保存。", "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
        values = _input_values(p)
        flash("请修改标出的内容后再保存。", "error")
    return render_template("plans/edit.html", plan=plan, values=values, errors=errors, departments=departments,
                           library=library)


@bp.route("/<int:plan_id>/eligibility")
@role_required(*VIEWERS)
def eligibility_preview(plan_id):
    plan = jurisdictions.owned_or_404(Plan, plan_id, current_user)
    cap, capped = visits.capped_for(plan)  # 无事不扰: the jurisdiction's yearly cap and who reached it
    figures = eligibility.summary(plan, cap, capped)
    excluded = eligibility.excluded_after(plan, request.args.get("after", type=int), PER_PAGE, cap, capped,
                                          total=figures["excluded_total"])
    return render_template("plans/eligibility.html", plan=plan, f=figures, excluded=excluded,
                           visit_cap=cap)
