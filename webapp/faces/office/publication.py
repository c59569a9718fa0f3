"""The office publishes approved records (一公开): one by one or the whole plan at once."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.core import clock, errors
from webapp.core.extensions import db
from webapp.domain import results, roles
from webapp.domain.status import RecordStatus
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done
from webapp.stages.plans.models import Plan
from webapp.stages.publication import publishing
from webapp.stages.records.models import InspectionRecord

bp = Blueprint("publication", __name__)
bp.add_app_template_global(publishing.awaiting_publication, "awaiting_publication")


@bp.route("/publication/")
@role_required(roles.OFFICE_ADMIN)
def plans():
    counts = {}
    for plan_id, status, n in db.session.execute(
        select(InspectionRecord.plan_id, InspectionRecord.status, func.count()).group_by(
            InspectionRecord.plan_id, InspectionRecord.status)
    ):
        counts.setdefault(plan_id, {})[status] = n
    rows = [
        (plan, counts.get(plan.id, {}), publishing.publication_deadline(plan))
        for plan in db.session.scalars(select(Plan).order_by(Plan.window_start.desc()))
    ]
    return render_template("public/office_plans.html", rows=rows, today=clock.today())


@bp.route("/publication/plans/<int:plan_id>")
@role_required(roles.OFFICE_ADMIN)
def plan(plan_id):
    plan = db.get_or_404(Plan, plan_id)
    published = db.session.scalars(
        select(InspectionRecord)
        .where(InspectionRecord.plan_id == plan.id, InspectionRecord.status == RecordStatus.PUBLISHED)
        .order_by(InspectionRecord.published_at.desc(), InspectionRecord.id)
    ).all()
    return render_template(
        "public/office_plan.html", plan=plan, approved=publishing.approved_records(plan), published=published,
        deadline=publishing.publication_deadline(plan), today=clock.today(),
        RESULTS=results.CATEGORIES,
    )


@bp.route("/publication/plans/<int:plan_id>/publish", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def publish(plan_id):
    plan = db.get_or_404(Plan, plan_id)
    if request.form.get("all") == "1":
        records = publishing.approved_records(plan)
    else:
        try:
            ids = sorted({int(v) for v in request.form.getlist("record")})
        except ValueError:
            abort(400, "检查表编号无效。")
        records = db.session.scalars(
            select(InspectionRecord).where(InspectionRecord.id.in_(ids), InspectionRecord.plan_id == plan.id)
        ).all() if ids else []
        if len(records) != len(ids):
            abort(404, "所选检查表不属于本计划。")
    errors.back_to(url_for("publication.plan", plan_id=plan.id))
    published = publishing.publish(records, user=current_user)
    return done(f"已公示 {len(published)} 份检查表。", "publication.plan", plan_id=plan.id)


@bp.route("/publication/records/<int:record_id>/withdraw", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def withdraw(record_id):
    record = db.get_or_404(InspectionRecord, record_id)
    errors.back_to(url_for("publication.plan", plan_id=record.plan_id))
    publishing.withdraw(record, current_user, request.form.get("reason", ""))
    message = f"已撤回“{record.entity.name}”的公示；该检查表已退回审核。"
    return done(message, "publication.plan", plan_id=record.plan_id)
