"""The review pages: the queue with its filters, one record to read, and the decision."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from webapp.core import errors
from webapp.core.extensions import db
from webapp.domain import results, roles
from webapp.domain import review as rules
from webapp.faces.auth.gate import role_required
from webapp.faces.media import only_signed
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
    office = current_user.has_role(roles.OFFICE_ADMIN)
    return render_template(
        "review/queue.html", records=records, flt=flt, filters=rules.FILTERS, plan_id=plan_id,
        plans=db.session.scalars(db.select(Plan).order_by(Plan.window_start.desc())).all(),
        problems={r.id: rules.has_problems(r.result_codes, r.findings) for r in records},
        parts=service.review_parts.parts_for(records), own=None if office else current_user.department_id,
        per_department=service.waiting_by_department() if office else None,
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


def _record_page(record: InspectionRecord, comment: str = "", department_id: int | None = None):
    history = service.history(record)
    decidable = {p.department_id for p in service.decidable_parts(current_user, record)}
    return render_template(
        "review/record.html", doc=only_signed(service.document(record)), history=history,
        part_history=lambda d: service.part_history(history, d), decidable=decidable,
        can_decide=bool(decidable), comment_max=rules.COMMENT_MAX, comment=comment, comment_for=department_id,
        CATEGORIES=results.CATEGORIES,
    )


@bp.route("/review/records/<int:record_id>/decision", methods=["POST"])
@role_required(roles.REVIEWER, roles.OFFICE_ADMIN)
def decide(record_id):
    record = _reviewable(record_id)
    action = request.form.get("action", "")
    comment = request.form.get("comment", "")
    department_id = request.form.get("department_id", type=int)
    # The part's result categories, when the form offered them (an empty choice is then refused as such).
    codes = request.form.getlist("codes") if request.form.get("codes_given") == "1" else None
    # A refused decision: the record again, with the comment as typed.
    errors.show_again(lambda: (_record_page(record, comment, department_id), 422))
    event = service.decide(record, current_user, action, comment, department_id=department_id, codes=codes)
    who = f"（{event.department.name}的部分）" if event.department else ""
    if action == rules.APPROVE:
        return done(f"已审核通过：{record.entity.name}{who}。", "review.queue")
    return done(f"已退回：{record.entity.name}{who}。退回意见将显示在检查组的手机上。", "review.queue")
