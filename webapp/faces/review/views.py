"""The review pages: the queue with its filters, one record to read, and the decision."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from webapp.core import errors
from webapp.core.extensions import db
from webapp.domain import review as rules
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done
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
    return _record_page(_reviewable(record_id))


def _record_page(record: InspectionRecord, comment: str = ""):
    return render_template(
        "review/record.html", doc=service.document(record), history=service.history(record),
        can_decide=record.status in rules.TRANSITIONS, comment_max=rules.COMMENT_MAX, comment=comment,
    )


@bp.route("/review/records/<int:record_id>/decision", methods=["POST"])
@role_required(roles.REVIEWER, roles.OFFICE_ADMIN)
def decide(record_id):
    record = _reviewable(record_id)
    action = request.form.get("action", "")
    comment = request.form.get("comment", "")
    # A refused decision: the record again, with the comment as typed.
    errors.show_again(lambda: (_record_page(record, comment), 422))
    service.decide(record, current_user, action, comment)
    if action == rules.APPROVE:
        return done(f"已审核通过：{record.entity.name}。", "review.queue")
    return done(f"已退回：{record.entity.name}。退回意见将显示在检查组的手机上。", "review.queue")
