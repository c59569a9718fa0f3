"""异议: within a configurable number of working days after a department's result is published, the enterprise
objects to it with reasons (and files); the department answers within its own working-day deadline: upheld →
the result is corrected, still published, with the correction noted publicly (and a transparency-log leaf);
rejected → the reason is given. A deadline missed is flagged."""

from flask import current_app
from sqlalchemy import select

from webapp.core import audit, clock, ledger
from webapp.core.extensions import db
from webapp.domain import publication, results
from webapp.domain.refusal import Refused
from webapp.domain.status import PartStatus
from webapp.stages.accounts.models import Department
from webapp.stages.enterprise import attachments
from webapp.stages.enterprise.models import Objection
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.publication import followup, publishing
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import parts as review_parts
from webapp.stages.review.models import ReviewPart

FILING_WORKDAYS = 15  # ENTERPRISE_OBJECTION_WORKDAYS: the enterprise's window after publication
ANSWER_WORKDAYS = 10  # ENTERPRISE_OBJECTION_ANSWER_WORKDAYS: the department's
MAX_TEXT = 3000


class ObjectionRefused(Refused):
    status = 422


def filing_due(part: ReviewPart):
    """The last day an objection to this published part may be filed (a Deadline), None if not published."""
    if part.status != PartStatus.PUBLISHED or part.published_at is None:
        return None
    days = current_app.config.get("ENTERPRISE_OBJECTION_WORKDAYS", FILING_WORKDAYS)
    return current_calendar().add_workdays(clock.in_beijing(part.published_at).date(), days)


def of_record(record) -> list[Objection]:
    return db.session.scalars(select(Objection).where(Objection.record_id == record.id).order_by(Objection.id)).all()


def corrections(record) -> list[Objection]:
    """The upheld objections of a record: each corrected a published result (shown with the result)."""
    return [o for o in of_record(record) if o.status == "upheld"]


def overdue(obj: Objection, today=None) -> bool:
    return obj.status == "pending" and (today or clock.today()) > obj.answer_due


def file(record, part: ReviewPart, reasons: str, files, ip: str) -> Objection:
    if part is None or part.record_id != record.id:
        raise ObjectionRefused("请选择要提出异议的部门结果。")
    due = filing_due(part)
    if due is None:
        raise ObjectionRefused("该部门的检查结果尚未公示，公示后才能提出异议。", 409)
    if clock.today() > due.due:
        raise ObjectionRefused(f"提出异议的期限已过（公示后 {current_app.config.get('ENTERPRISE_OBJECTION_WORKDAYS', FILING_WORKDAYS)}"
                               f" 个工作日内，截至 {due.due.isoformat()}）。", 409)
    if db.session.scalar(select(Objection.id).where(Objection.part_id == part.id, Objection.status == "pending")):
        raise ObjectionRefused("对该部门结果的异议正在办理中，请等待答复。", 409)
    reasons = ObjectionRefused.required_text(reasons, MAX_TEXT, "请写明异议的事实和理由。", "异议理由")
    verified = attachments.verify(files)
    days = current_app.config.get("ENTERPRISE_OBJECTION_ANSWER_WORKDAYS", ANSWER_WORKDAYS)
    answer = current_calendar().add_workdays(clock.today(), days)
    obj = Objection(record_id=record.id, part_id=part.id, department_id=part.department_id,
                    jurisdiction_id=part.department.jurisdiction_id, reasons=reasons,
                    answer_due=answer.due, answer_due_provisional=answer.provisional)
    db.session.add(obj)
    db.session.flush()
    stored = attachments.store(verified, "objection", obj.id, obj.department_id, obj.jurisdiction_id)
    audit.record("enterprise.objection_filed", obj, record_id=record.id, department_id=part.department_id,
                 answer_due=answer.due.isoformat(), attachments=[a.sha256 for a in stored], ip=ip)
    return obj


def answer(obj: Objection, user, upheld: bool, text: str, codes=None) -> Objection:
    """Caller commits. Upheld needs the corrected result categories (valid as a result); rejected a reason."""
    if obj.status != "pending":
        raise ObjectionRefused("该异议已答复。", 409)
    text = ObjectionRefused.required_text(text, MAX_TEXT, "请填写答复意见（异议成立的更正说明，或不成立的理由）。", "答复意见")
    part = obj.part
    if upheld:
        codes = sorted(set(codes or []))
        wrong = [e for e in results.validate(codes) if not e.startswith("选择了处置方式")]
        if wrong:
            raise ObjectionRefused(wrong[0])
        if codes == sorted(part.result_codes or []):
            raise ObjectionRefused("异议成立时请选择更正后的检查结果（与原结果不同）。")
        if part.status != PartStatus.PUBLISHED:
            raise ObjectionRefused("该部门结果已不在公示中，无法更正。", 409)
        obj.previous_codes = sorted(part.result_codes or [])
        obj.corrected_codes = codes
        review_parts.correct(part, user, codes, f"异议成立，更正结果：{text}")
        record = obj.record
        document = publishing.public_document(record, part)
        document["correction"] = {"previous": obj.previous_codes, "note": text}
        ledger.record_act("result.corrected", f"record:{record.token}:{part.department.code}", document,
                          record=record.token, department=part.department.code, result_codes=codes,
                          previous_codes=obj.previous_codes)
        if results.needs_follow_up(codes):
            publishing.open_follow_ups(record, part=part)
        else:
            followup.end_after_correction(record, part.department_id, user, text)
    obj.status = "upheld" if upheld else "rejected"
    obj.answer, obj.answered_by_id, obj.answered_at = text, user.id, clock.utcnow()
    audit.record("enterprise.objection_" + obj.status, obj, user=user, record_id=obj.record_id,
                 department_id=obj.department_id, corrected_codes=obj.corrected_codes,
                 late=clock.today() > obj.answer_due)
    return obj


def labels(codes) -> list[str]:
    return publication.result_labels(codes)


def public_corrections(token: str, department_name: str) -> list[dict]:
    """What a public result page says of the corrections made to one department's published result: when, what
    the result was, and the department's note (its answer to the upheld objection). Nothing of the objection."""
    rows = db.session.scalars(
        select(Objection).join(InspectionRecord, InspectionRecord.id == Objection.record_id)
        .join(Department, Department.id == Objection.department_id)
        .where(InspectionRecord.token == token, Department.name == department_name, Objection.status == "upheld")
        .order_by(Objection.id)).all()
    return [{"on": clock.in_beijing(o.answered_at).date(), "previous": publication.result_labels(o.previous_codes),
             "note": o.answer} for o in rows]
