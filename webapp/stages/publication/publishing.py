"""Publishing approved records (一公开) and opening follow-up tasks; shared by the office page and the CLI."""
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.domain import publication
from webapp.domain.refusal import Refused
from webapp.domain.status import RecordStatus
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import Plan
from webapp.stages.publication.models import FollowUpTask, PublicationWithdrawal
from webapp.stages.records.models import InspectionRecord


class PublishError(Refused):
    """A user-facing reason (in Chinese) why nothing was published."""

    status = 409


def publication_deadline(plan: Plan):
    """When the plan's results must be public: `publish_days` working days after the window ends (Deadline)."""
    return publication.publication_deadline(current_calendar(), plan.window_end, plan.publish_days)


def approved_records(plan: Plan) -> list[InspectionRecord]:
    return db.session.scalars(
        select(InspectionRecord)
        .where(InspectionRecord.plan_id == plan.id, InspectionRecord.status == publication.PUBLISHABLE)
        .order_by(InspectionRecord.id)
    ).all()


def open_follow_ups(record: InspectionRecord, today: date | None = None) -> list[FollowUpTask]:
    """Open the follow-up tasks a record needs (none twice for the same department)."""
    today = today or clock.today()
    wanted = publication.follow_up_jurisdiction(record.result_codes, record.findings, record.plan.lead_department_id)
    if not wanted:
        return []
    existing = set(db.session.scalars(
        select(FollowUpTask.department_id).where(FollowUpTask.record_id == record.id)
    ))
    days = current_app.config.get("FOLLOW_UP_WORKDAYS", publication.FOLLOW_UP_WORKDAYS)
    deadline = publication.follow_up_deadline(current_calendar(), today, days)
    opened = []
    for j in wanted:
        if j.department_id in existing:
            continue
        task = FollowUpTask(record=record, department_id=j.department_id, reason=j.reason,
                            deadline=deadline.due, deadline_provisional=deadline.provisional)
        db.session.add(task)
        db.session.flush()
        audit.record("followup.open", task, record_id=record.id, department_id=j.department_id,
                     deadline=deadline.due.isoformat(), reason=j.reason)
        opened.append(task)
    return opened


def publish(records, user=None, via: str = "web") -> list[InspectionRecord]:
    """Publish approved records; anything else is refused as a whole (nothing half-done). Caller commits."""
    records = list(records)
    if not records:
        raise PublishError("没有选择要公示的检查表。")
    wrong = [r for r in records if r.status != publication.PUBLISHABLE]
    if wrong:
        names = "、".join(r.entity.name for r in wrong[:3]) + ("等" if len(wrong) > 3 else "")
        raise PublishError(f"只能公示审核通过的检查表；以下检查表尚未审核通过或已公示：{names}。")
    now = clock.utcnow()
    for record in records:
        record.status = publication.PUBLISHED
        record.published_at = now
        audit.record("record.publish", record, user=user, plan_id=record.plan_id, via=via,
                     result_codes=list(record.result_codes or []))
        open_follow_ups(record)
    return records


def withdraw(record: InspectionRecord, user, reason: str) -> PublicationWithdrawal:
    """撤回公示: the result leaves the public pages, the record goes back to review, the reason is kept and shown
    on its verification page. Follow-up tasks already opened stay with their departments. Caller commits."""
    errors = publication.withdrawal_errors(record.status, reason)
    if errors:
        raise PublishError(errors[0])
    withdrawal = PublicationWithdrawal(record_id=record.id, reason=reason.strip(), published_at=record.published_at,
                                       by_id=user.id)
    db.session.add(withdrawal)
    record.status, record.published_at = publication.WITHDRAWN_TO, None
    audit.record("record.withdraw_publication", record, user=user, plan_id=record.plan_id, reason=withdrawal.reason,
                 published_at=clock.iso(withdrawal.published_at))
    return withdrawal


def withdrawals_of(record: InspectionRecord) -> list[PublicationWithdrawal]:
    return db.session.scalars(select(PublicationWithdrawal).where(PublicationWithdrawal.record_id == record.id)
                              .order_by(PublicationWithdrawal.id)).all()


def awaiting_publication() -> list[dict]:
    """For the office's home page: plans with approved records not yet published, and their deadline."""
    rows = db.session.execute(
        select(Plan, func.count(InspectionRecord.id))
        .join(InspectionRecord, InspectionRecord.plan_id == Plan.id)
        .where(InspectionRecord.status == RecordStatus.APPROVED)
        .group_by(Plan.id).order_by(Plan.window_end)
    ).all()
    return [{"plan": plan, "count": n, "deadline": publication_deadline(plan)} for plan, n in rows]
