"""The office publishes approved results (一公开) per department: a part, a record's approved parts, or the whole
plan's at once; and withdraws a department's publication."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.core import clock, errors, jobs
from webapp.core.extensions import db
from webapp.domain import results, roles
from webapp.domain.status import PART_DONE, PartStatus
from webapp.faces import jobs as job_pages
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department
from webapp.stages.plans.models import Plan
from webapp.stages.publication import publishing
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import parts as review_parts
from webapp.stages.review.models import ReviewPart

bp = Blueprint("publication", __name__)
bp.add_app_template_global(publishing.awaiting_publication, "awaiting_publication")


@bp.route("/publication/")
@role_required(roles.OFFICE_ADMIN)
def plans():
    review_parts.materialise()
    counts, complete = {}, {}
    for plan_id, department, status, n in db.session.execute(
        select(InspectionRecord.plan_id, Department.name, ReviewPart.status, func.count())
        .join(ReviewPart, ReviewPart.record_id == InspectionRecord.id)
        .join(Department, Department.id == ReviewPart.department_id)
        .group_by(InspectionRecord.plan_id, Department.name, ReviewPart.status)
    ):
        counts.setdefault(plan_id, {}).setdefault(department, {})[status] = n
    # A record is complete when every part is published or withdrawn.
    open_parts = select(ReviewPart.record_id).where(ReviewPart.status.not_in(list(PART_DONE)))
    for plan_id, n in db.session.execute(
        select(InspectionRecord.plan_id, func.count(func.distinct(InspectionRecord.id)))
        .join(ReviewPart, ReviewPart.record_id == InspectionRecord.id)
        .where(InspectionRecord.id.not_in(open_parts)).group_by(InspectionRecord.plan_id)
    ):
        complete[plan_id] = n
    rows = [
        (plan, counts.get(plan.id, {}), publishing.publication_deadline(plan), complete.get(plan.id, 0))
        for plan in db.session.scalars(select(Plan).order_by(Plan.window_start.desc()))
    ]
    return render_template("public/office_plans.html", rows=rows, today=clock.today(), PART=PartStatus)


@bp.route("/publication/plans/<int:plan_id>")
@role_required(roles.OFFICE_ADMIN)
def plan(plan_id):
    plan = jurisdictions.owned_or_404(Plan, plan_id, current_user)
    review_parts.materialise(plan.id)
    rows = db.session.execute(
        select(ReviewPart, InspectionRecord).join(InspectionRecord, InspectionRecord.id == ReviewPart.record_id)
        .where(InspectionRecord.plan_id == plan.id)
        .order_by(InspectionRecord.id, ReviewPart.position, ReviewPart.id)
    ).all()
    approved = [(p, r) for p, r in rows if p.status == PartStatus.APPROVED]
    published = sorted(((p, r) for p, r in rows if p.status == PartStatus.PUBLISHED),
                       key=lambda x: (clock.sort_key(x[0].published_at), x[1].id), reverse=True)
    # Per department: what it still holds back (waiting for its review or returned), so the office sees who.
    held = {}
    for p, _ in rows:
        if p.status not in PART_DONE and p.status != PartStatus.APPROVED:
            held[p.department.name] = held.get(p.department.name, 0) + 1
    return render_template(
        "public/office_plan.html", plan=plan, approved=approved, published=published, held=held,
        deadline=publishing.publication_deadline(plan), today=clock.today(),
        RESULTS=results.CATEGORIES,
    )


@bp.route("/publication/plans/<int:plan_id>/publish", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def publish(plan_id):
    """`all=1`: every approved part of the plan; `record`: every approved part of those records; `part`
    (`<record id>:<department id>`): those departments' parts."""
    plan = jurisdictions.run_or_404(Plan, plan_id, current_user)  # published by the plan's own office
    errors.back_to(url_for("publication.plan", plan_id=plan.id))
    if request.form.get("all") == "1":  # the whole plan: a background job, with its progress on the page
        job = jobs.enqueue("publication.plan", {"plan_id": plan.id}, user=current_user,
                           jurisdiction_id=plan.jurisdiction_id, key=publishing.approved_key(plan))
        return job_pages.started(
            job, lambda result: f"已公示 {result['published']} 份检查表。各部门审核通过的结果以该部门名义公示。",
            "publication.plan", plan_id=plan.id)
    try:
        ids = sorted({int(v) for v in request.form.getlist("record")})
        pairs = sorted({tuple(int(x) for x in v.split(":", 1)) for v in request.form.getlist("part")})
    except ValueError:
        abort(400, "检查表编号无效。")
    wanted = sorted(set(ids) | {r for r, _ in pairs})
    records = {r.id: r for r in db.session.scalars(
        select(InspectionRecord).where(InspectionRecord.id.in_(wanted), InspectionRecord.plan_id == plan.id)
    )} if wanted else {}
    if len(records) != len(wanted):
        abort(404, "所选检查表不属于本计划。")
    if ids:
        publishing.publish([records[i] for i in ids], user=current_user)
    for record_id, department_id in pairs:
        if record_id not in ids:  # else already published with its record's approved parts
            publishing.publish([records[record_id]], user=current_user, department_id=department_id)
    if not ids and not pairs:
        publishing.publish([])
    return done(f"已公示 {len(wanted)} 份检查表。各部门审核通过的结果以该部门名义公示。", "publication.plan",
                plan_id=plan.id)


@bp.route("/publication/records/<int:record_id>/withdraw", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def withdraw(record_id):
    record = jurisdictions.run_or_404(InspectionRecord, record_id, current_user)
    department_id = request.form.get("department_id", type=int)
    errors.back_to(url_for("publication.plan", plan_id=record.plan_id))
    made = publishing.withdraw(record, current_user, request.form.get("reason", ""), department_id=department_id)
    who = "、".join(w.department.name for w in made if w.department)
    message = f"已撤回“{record.entity.name}”的公示（{who}）；该部门的结果已退回审核。"
    return done(message, "publication.plan", plan_id=record.plan_id)
