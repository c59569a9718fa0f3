"""The office publishes approved results (一公开) per department: a part, a record's approved parts, or the whole
plan's at once; and withdraws a department's publication."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.core import clock, errors, jobs
from webapp.core.extensions import db
from webapp.domain import results, roles
from webapp.domain.status import PartStatus
from webapp.faces import jobs as job_pages
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department
from webapp.stages.plans.models import Plan
from webapp.stages.publication import board, publishing, queries
from webapp.stages.records.models import InspectionRecord

bp = Blueprint("publication", __name__)
bp.add_app_template_global(publishing.awaiting_publication, "awaiting_publication")


@bp.route("/publication/")
@role_required(roles.OFFICE_ADMIN)
def plans():
    # No materialise() here: the kept counts already count a part not made yet in its record's state.
    plans = db.session.scalars(jurisdictions.scope(select(Plan), Plan.jurisdiction_id, current_user)
                               .order_by(Plan.window_start.desc())).all()
    parts, complete = board.per_plan([p.id for p in plans])  # the dashboard's kept counts, not every part
    names = dict(db.session.execute(select(Department.id, Department.name).where(
        Department.id.in_(sorted({d for row in parts.values() for d in row}) or [-1]))).all())
    rows = [(plan, {names.get(d, "—"): c for d, c in sorted(parts.get(plan.id, {}).items(),
                                                             key=lambda kv: names.get(kv[0], ""))},
             publishing.publication_deadline(plan), complete.get(plan.id, 0)) for plan in plans]
    return render_template("public/office_plans.html", rows=rows, today=clock.today(), PART=PartStatus)


@bp.route("/publication/plans/<int:plan_id>")
@role_required(roles.OFFICE_ADMIN)
def plan(plan_id):
    plan = jurisdictions.owned_or_404(Plan, plan_id, current_user)
    # Every way to an approved or published part makes the record's parts (a decision, publishing, 0013 for the
    # records before them), so the lists read the parts as they are: no anti-join over the plan's records (2.4 s
    # at 1,000,000); the counts held back already count a part not made yet in its record's state.
    # Two lists paged by keyset, each with its own cursor (?a= the approved, ?p= the published).
    # The lists count the parts themselves; what each department holds back is the kept counts' view (a
    # department's section counts its parts, the checklist's, whether or not anyone of it is on the team).
    _, held = queries.plan_counts(plan.id)
    approved = queries.plan_parts(plan.id, PartStatus.APPROVED, request.args.get("a"))
    published = queries.plan_parts(plan.id, PartStatus.PUBLISHED, request.args.get("p"), newest_first=True)
    return render_template(
        "public/office_plan.html", plan=plan, approved=approved, published=published,
        held=held, deadline=publishing.publication_deadline(plan), today=clock.today(),
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
