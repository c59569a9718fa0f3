"""咨询: the enterprise asks one of the departments of its check a question; the department admin or reviewer
answers; the answer shows on the enterprise's page."""
from sqlalchemy import select

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.domain.refusal import Refused
from webapp.stages.enterprise.models import Question
from webapp.stages.review import parts as review_parts

MAX_TEXT = 1000
MAX_OPEN = 5  # unanswered questions per record: a page is not a chat


class QuestionRefused(Refused):
    status = 422


def of_record(record) -> list[Question]:
    return db.session.scalars(select(Question).where(Question.record_id == record.id).order_by(Question.id)).all()


def ask(record, department_id: int, text: str, ip: str) -> Question:
    part = review_parts.part_of(record, department_id) if department_id else None
    if part is None:
        raise QuestionRefused("请选择参与本次检查的部门。")
    text = QuestionRefused.required_text(text, MAX_TEXT, "请填写要咨询的问题。", "问题")
    if sum(1 for q in of_record(record) if q.answer is None) >= MAX_OPEN:
        raise QuestionRefused(f"已有 {MAX_OPEN} 个问题待答复，请等待部门答复后再提问。", 429)
    q = Question(record_id=record.id, department_id=department_id,
                 jurisdiction_id=part.department.jurisdiction_id, text=text)
    db.session.add(q)
    db.session.flush()
    audit.record("enterprise.question_asked", q, record_id=record.id, department_id=department_id, ip=ip)
    return q


def answer(q: Question, user, text: str) -> Question:
    if q.answer is not None:
        raise QuestionRefused("该问题已答复。", 409)
    text = QuestionRefused.required_text(text, MAX_TEXT * 2, "请填写答复。", "答复")
    q.answer, q.answered_by_id, q.answered_at = text, user.id, clock.utcnow()
    audit.record("enterprise.question_answered", q, user=user, record_id=q.record_id, department_id=q.department_id)
    return q
