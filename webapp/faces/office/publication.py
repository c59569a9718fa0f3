"""The office publishes approved records (一公开): one by one or the whole plan at once."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.domain import results, roles
from webapp.faces.auth.gate import role_required
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
    return render_template("public/office_plans.html", rows=rows, today=date.today())


@bp.route("/publication/plans/<int:plan_id>")
@role_required(roles.OFFICE_ADMIN)
def plan(plan_id):
    plan = db.get_or_404(Plan, plan_id)
    published = db.session.scalars(
        select(InspectionRecord)
        .where(InspectionRecord.plan_id == plan.id, InspectionRecord.status == "published")
        .order_by(InspectionRecord.published_at.desc(), InspectionRecord.id)
    ).all()
    return render_template(
        "public/office_plan.html", plan=plan, approved=publishing.approved_records(plan), published=published,
        deadline=publishing.publication_deadline(plan), today=date.today(),
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
    try:
        done = publishing.publish(records, user=current_user)
    except publishing.PublishError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("publication.plan", plan_id=plan.id))
    db.session.commit()
    flash(f"已公示 {len(done)} 份检查表。", "success")
    return redirect(url_for("publication.plan", plan_id=plan.id))


@bp.route("/publication/records/<int:record_id>/withdraw", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def withdraw(record_id):
    record = db.get_or_404(InspectionRecord, record_id)
    try:
        publishing.withdraw(record, current_user, request.form.get("reason", ""))
    except publishing.PublishError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("publication.plan", plan_id=record.plan_id))
    db.session.commit()
    flash(f"已撤回“{record.entity.name}”的公示；该检查表已退回审核。", "success")
    return redirect(url_for("publication.plan", plan_id=record.plan_id))
