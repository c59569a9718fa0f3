"""The review pages: the queue with its filters, one record to read, and the decision."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from webapp.core import errors
from webapp.core.extensions import db
from webapp.domain import results, roles
from webapp.domain import review as rules
from webapp.faces.auth.gate import role_required
from webapp.faces.media import only_signed
from webapp.faces.pages import done
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department
from webapp.stages.plans.models import Plan
from webapp.stages.publication import board
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import service
from webapp.stages.review.models import Amendment

bp = Blueprint("review", __name__)


@bp.route("/review/")
@role_required(roles.REVIEWER, roles.OFFICE_ADMIN)
def queue():
    flt = request.args.get("f", "waiting")
    if flt not in rules.FILTERS:
        flt = "waiting"
    plan_id = request.args.get("plan", type=int)
    found = service.queue(current_user, flt, plan_id, request.args.get("after"))
    records = found.items
    office = current_user.has_role(roles.OFFICE_ADMIN)
    parts = service.review_parts.parts_for(records)
    departments = _departments_of(parts)  # held for the page: the session keeps only what is referenced
    plans = db.session.scalars(jurisdictions.scope(db.select(Plan), Plan.jurisdiction_id, current_user)
                               .order_by(Plan.window_start.desc())).all()
    per_department = None
    if office:  # from the dashboard's kept counts: a few hundred rows per plan, not every part
        per_department = service.waiting_rows(board.parts_per_department([p.id for p in plans]))
    return render_template(
        "review/queue.html", records=records, found=found, flt=flt, filters=rules.FILTERS, plan_id=plan_id,
        plans=plans, problems={r.id: rules.has_problems(r.result_codes, r.findings) for r in records},
        parts=parts, departments=departments, own=None if office else current_user.department_id,
        per_department=per_department, amended=_amended(records),
    )


def _departments_of(parts) -> list[Department]:
    """The parts' departments in one statement (the chips show each part's), not one per department."""
    ids = {p.department_id for found in parts.values() for p in found}
    return db.session.scalars(select(Department).where(Department.id.in_(ids))).all() if ids else []


def _amended(records) -> set[int]:
    """The records the team answered a return of (补充说明): resubmitted, not new, marked 已补充 in the queue."""
    ids = [r.id for r in records]
    if not ids:
        return set()
    return set(db.session.scalars(select(Amendment.record_id).where(Amendment.record_id.in_(ids)).distinct()))


def _reviewable(record_id: int) -> InspectionRecord:
    record = db.get_or_404(InspectionRecord, record_id)
    if not (current_user.has_role(roles.REVIEWER, roles.OFFICE_ADMIN) and service.can_review(current_user, record)):
        # another jurisdiction's record does not exist for this user; their own, not theirs to review, is 403
        abort(403 if jurisdictions.sees(current_user, record.plan.jurisdiction_id) else 404)
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
    if service.review_departments(current_user) is None and not jurisdictions.runs(current_user,
                                                                                   record.plan.jurisdiction_id):
        abort(403)  # the city reads a district's records; the district's office decides on them
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
