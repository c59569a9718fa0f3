"""The review pages: the queue with its filters, one record to read, and the decision."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.core.extensions import db
from webapp.domain import review as rules
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.stages.plans.models import Plan
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import service

bp = Blueprint("review", __name__)


@bp.route("/review/")
@role_required(roles.REVIEWER, roles.OFFICE_ADMIN)
def queue():
    flt = request.args.get("f", "waiting")
    if flt not in rules.FILTERS:
        flt = "waiting"
    plan_id = request.args.get("plan", type=int)
    records = service.queue(current_user, flt, plan_id)
    return render_template(
        "review/queue.html", records=records, flt=flt, filters=rules.FILTERS, plan_id=plan_id,
        plans=db.session.scalars(db.select(Plan).order_by(Plan.window_start.desc())).all(),
        problems={r.id: rules.has_problems(r.result_codes, r.findings) for r in records},
    )


def _reviewable(record_id: int) -> InspectionRecord:
    record = db.get_or_404(InspectionRecord, record_id)
    if not (current_user.has_role(roles.REVIEWER, roles.OFFICE_ADMIN) and service.can_review(current_user, record)):
        abort(403)
    return record


@bp.route("/review/records/<int:record_id>")
@role_required(roles.REVIEWER, roles.OFFICE_ADMIN)
def record(record_id):
    record = _reviewable(record_id)
    return render_template(
        "review/record.html", doc=service.document(record), history=service.history(record),
        can_decide=record.status in rules.TRANSITIONS, comment_max=rules.COMMENT_MAX,
    )


@bp.route("/review/records/<int:record_id>/decision", methods=["POST"])
@role_required(roles.REVIEWER, roles.OFFICE_ADMIN)
def decide(record_id):
    record = _reviewable(record_id)
    action = request.form.get("action", "")
    comment = request.form.get("comment", "")
    try:
        service.decide(record, current_user, action, comment)
    except rules.ReviewError as e:
        db.session.rollback()
        flash(str(e), "error")
        return render_template(
            "review/record.html", doc=service.document(record), history=service.history(record),
            can_decide=record.status in rules.TRANSITIONS, comment_max=rules.COMMENT_MAX, comment=comment,
        ), 422
    if action == rules.APPROVE:
        flash(f"已审核通过：{record.entity.name}。", "success")
    else:
        flash(f"已退回：{record.entity.name}。退回意见将显示在检查组的手机上。", "success")
    return redirect(url_for("review.queue"))
