"""整改: the enterprise sends evidence for an open follow-up task; the department in charge accepts it (the task
closes, the closing reaches the public page and the transparency log) or returns it with a reason."""
from sqlalchemy import select

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.domain.refusal import Refused
from webapp.stages.enterprise import attachments
from webapp.stages.enterprise.models import Rectification
from webapp.stages.publication import followup
from webapp.stages.publication.models import FollowUpTask

MAX_NOTE = 2000


class RectificationRefused(Refused):
    status = 422


def of_record(record) -> list[Rectification]:
    return db.session.scalars(select(Rectification).where(Rectification.record_id == record.id)
                              .order_by(Rectification.id)).all()


def submit(task: FollowUpTask, note: str, files, ip: str) -> Rectification:
    """Caller commits. Files are verified before anything is written."""
    if task.status != "open":
        raise RectificationRefused("该后续监管任务已办结，无需再提交整改材料。", 409)
    pending = db.session.scalar(select(Rectification).where(Rectification.follow_up_id == task.id,
                                                            Rectification.status == "submitted"))
    if pending is not None:
        raise RectificationRefused("已有整改材料在部门审核中，请等待审核结果。", 409)
    note = RectificationRefused.required_text(note, MAX_NOTE, "请填写整改情况说明。", "整改情况说明")
    verified = attachments.verify(files)
    if not verified:
        raise RectificationRefused("请上传至少一份整改证明材料（照片或 PDF）。")
    rect = Rectification(follow_up_id=task.id, record_id=task.record_id, department_id=task.department_id,
                         jurisdiction_id=task.department.jurisdiction_id, note=note)
    db.session.add(rect)
    db.session.flush()
    stored = attachments.store(verified, "rectification", rect.id, task.department_id, rect.jurisdiction_id)
    audit.record("enterprise.rectification_submitted", rect, record_id=task.record_id, follow_up_id=task.id,
                 attachments=[a.sha256 for a in stored], ip=ip)
    return rect


def decide(rect: Rectification, user, accept: bool, note: str) -> Rectification:
    """Accept (closes the follow-up task: only the department admin closes, as `followup.can_close`) or return
    with a reason. Caller commits."""
    if rect.status != "submitted":
        raise RectificationRefused("该整改材料已审核。", 409)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise RectificationRefused(f"审核意见不超过 {MAX_NOTE} 字。")
    if accept:
        if not user.has_role(roles.DEPT_ADMIN):
            raise RectificationRefused("只有部门管理员可以办结后续监管任务。", 403)
        followup.close(rect.follow_up, user, f"企业整改材料经审核认可：{rect.note}" + (f"（审核意见：{note}）" if note else ""))
        rect.status = "accepted"
    else:
        if not note:
            raise RectificationRefused("退回时请写明理由，企业将看到该理由。")
        rect.status = "returned"
    rect.decided_by_id, rect.decided_at, rect.decision_note = user.id, clock.utcnow(), note or None
    audit.record("enterprise.rectification_" + rect.status, rect, user=user, record_id=rect.record_id,
                 follow_up_id=rect.follow_up_id, note=note)
    return rect
