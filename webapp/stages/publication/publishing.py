"""Publishing approved results (一公开) per department and opening follow-up tasks; shared by the office page and
the CLI. 谁抽查、谁录入、谁公示: each department's part of a joint record is published under its own 检查实施机关
when that department has approved it; a department that has not reviewed holds back only its own part. Each
part published or withdrawn is a leaf of the transparency log (core/ledger), and each call signs a tree head."""
import hashlib
from datetime import date

from flask import current_app
from sqlalchemy import select

from webapp.core import audit, clock, events, jobs, ledger
from webapp.core.extensions import db
from webapp.domain import publication
from webapp.domain.refusal import Refused
from webapp.domain.status import PartStatus
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import User
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import Plan
from webapp.stages.publication import board
from webapp.stages.publication.models import FollowUpTask, PublicationWithdrawal
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import parts as review_parts
from webapp.stages.review.models import ReviewPart


class PublishError(Refused):
    """A user-facing reason (in Chinese) why nothing was published."""

    status = 409


def publication_deadline(plan: Plan):
    """When the plan's results must be public: `publish_days` working days after the window ends (Deadline)."""
    return publication.publication_deadline(current_calendar(), plan.window_end, plan.publish_days)


def approved_records(plan: Plan) -> list[InspectionRecord]:
    """The plan's records with at least one department's part approved and not yet published."""
    records = db.session.scalars(
        select(InspectionRecord).where(InspectionRecord.plan_id == plan.id,
                                       InspectionRecord.status.in_(publication.IN_REVIEW_OR_AFTER))
        .order_by(InspectionRecord.id)
    ).all()
    by_record = review_parts.parts_for(records)
    return [r for r in records if any(p.status == PartStatus.APPROVED for p in by_record[r.id])]


def approved_parts(plan: Plan) -> list[ReviewPart]:
    """The approved parts of the plan waiting for publication, per record then department."""
    records = approved_records(plan)
    by_record = review_parts.parts_for(records)
    return [p for r in records for p in by_record[r.id] if p.status == PartStatus.APPROVED]


def open_follow_ups(record: InspectionRecord, today: date | None = None,
                    part: ReviewPart | None = None) -> list[FollowUpTask]:
    """Open the follow-up tasks a record needs (none twice for the same department). With `part`: those its
    department's result needs, by the same jurisdiction rule (谁管辖、谁负责), for that department only."""
    today = today or clock.today()
    codes = part.result_codes if part is not None else record.result_codes
    wanted = publication.follow_up_jurisdiction(codes, record.findings, record.plan.lead_department_id)
    if part is not None:
        wanted = [j for j in wanted if j.department_id == part.department_id]
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


def public_document(record: InspectionRecord, part: ReviewPart) -> dict:
    """What the public sees of one department's published part: the body of its transparency-log leaf, and what
    the leaf's `document_sha256` is the hash of (canonical JSON, core/ledger.canonical). No people, no media."""
    return {
        "record": record.token, "plan": record.plan.doc_number, "uscc": record.entity.uscc,
        "enterprise": record.entity.name, "inspected_on": record.inspected_on.isoformat() if record.inspected_on else None,
        "department": part.department.code, "authority": part.authority or part.department.name,
        "result_codes": sorted(part.result_codes or []), "results": publication.result_labels(part.result_codes),
        "published_on": clock.in_beijing(part.published_at).date().isoformat() if part.published_at else None,
    }


def _log(kind: str, record: InspectionRecord, part: ReviewPart, **extra):
    document = public_document(record, part)
    body = {**document, "document_sha256": hashlib.sha256(ledger.canonical(document)).hexdigest(), **extra}
    return kind, body, f"record:{record.token}:{part.department.code}"


def _told(act, record: InspectionRecord):
    """The act's public body told to the listeners (webhooks) when the publication commits; the feed's id."""
    kind, body, _ = act
    events.emit(kind, dict(body, id=f"{body['record']}-{body['department']}"),
                jurisdiction_id=record.plan.jurisdiction_id)
    return act


def publish(records, user=None, via: str = "web", department_id: int | None = None,
            progress=None) -> list[InspectionRecord]:
    """Publish every approved part of these records (or only `department_id`'s), each under its own 检查实施机关;
    a record with no approved part is refused, and then nothing is published (nothing half-done). Caller
    commits. `progress(done, total)` hears of each record (a job's progress bar, the CLI's)."""
    records = list(records)
    if not records:
        raise PublishError("没有选择要公示的检查表。")
    by_record = review_parts.parts_for(records)
    chosen = {r.id: [p for p in by_record[r.id] if p.status == PartStatus.APPROVED
                     and (department_id is None or p.department_id == department_id)] for r in records}
    wrong = [r for r in records if not chosen[r.id]]
    if wrong:
        names = "、".join(r.entity.name for r in wrong[:3]) + ("等" if len(wrong) > 3 else "")
        raise PublishError(f"只能公示审核通过的检查表；以下检查表尚未审核通过或已公示：{names}。")
    now = clock.utcnow()
    acts = []
    for n, record in enumerate(records, 1):
        for part in chosen[record.id]:
            review_parts.mark_published(part, now)
            audit.record("record.publish", record, user=user, plan_id=record.plan_id, via=via,
                         department_id=part.department_id, authority=part.authority,
                         result_codes=list(part.result_codes or []))
            open_follow_ups(record, part=part)
            acts.append(_told(_log("result.published", record, part), record))
        review_parts.sync(record, by_record[record.id])
        if progress is not None:
            progress(n, len(records) + 1)  # the last step: the transparency log's leaves and head
    ledger.append_many(acts)
    ledger.sign_head()
    return records


def approved_key(plan: Plan) -> str:
    """The idempotency key of publishing the plan's approved parts as they are now (a double click: one job)."""
    parts = approved_parts(plan)
    digest = hashlib.sha256(",".join(f"{p.record_id}:{p.department_id}" for p in parts).encode()).hexdigest()
    return f"publication.plan:{plan.id}:{digest[:32]}"


@jobs.task("publication.plan")
def publish_plan(job, *, plan_id: int, via: str = "web"):
    """The job behind 「全部公示」: every approved part of the plan, in one transaction, with progress."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise PublishError("抽查计划不存在。")
    user = db.session.get(User, job.user_id) if job.user_id else None
    records = approved_records(plan)
    publish(records, user=user, via=via, progress=job.progress)
    db.session.commit()
    return {"published": len(records)}


def withdraw(record: InspectionRecord, user, reason: str, department_id: int | None = None) -> list[PublicationWithdrawal]:
    """撤回公示 of a department's part (or of every published part): the result leaves the public pages, the part
    goes back to its department's review, the reason is kept and shown on the record's verification page.
    Follow-up tasks already opened stay with their departments. Caller commits."""
    parts = review_parts.parts_of(record)
    published = [p for p in parts if p.status == PartStatus.PUBLISHED
                 and (department_id is None or p.department_id == department_id)]
    errors = publication.withdrawal_errors(publication.PUBLISHED if published else None, reason)
    if errors:
        raise PublishError(errors[0])
    made, acts = [], []
    for part in published:
        withdrawal = PublicationWithdrawal(record_id=record.id, department_id=part.department_id,
                                           reason=reason.strip(), published_at=part.published_at, by_id=user.id)
        db.session.add(withdrawal)
        acts.append(_told(_log("result.withdrawn", record, part, reason=withdrawal.reason), record))
        review_parts.mark_withdrawn(part)
        audit.record("record.withdraw_publication", record, user=user, plan_id=record.plan_id,
                     reason=withdrawal.reason, department_id=part.department_id,
                     published_at=clock.iso(withdrawal.published_at))
        made.append(withdrawal)
    review_parts.sync(record, parts)
    ledger.append_many(acts)
    ledger.sign_head()
    return made


def withdrawals_of(record: InspectionRecord) -> list[PublicationWithdrawal]:
    return db.session.scalars(select(PublicationWithdrawal).where(PublicationWithdrawal.record_id == record.id)
                              .order_by(PublicationWithdrawal.id)).all()


def awaiting_publication(user) -> list[dict]:
    """For the office's home page: the plans of the jurisdictions `user` sees with approved parts not yet published
    (how many), and their deadline. From the dashboard's kept counts (a few rows per plan, whatever its size; a
    part not made yet counts in its record's state), so the page neither makes parts nor reads the parts table."""
    plans = db.session.scalars(jurisdictions.scope(select(Plan), Plan.jurisdiction_id, user)
                               .order_by(Plan.window_end, Plan.id)).all()
    approved = {plan_id: sum(row[PartStatus.APPROVED] for row in departments.values())
                for plan_id, departments in board.per_plan([p.id for p in plans])[0].items()}
    return [{"plan": plan, "parts": approved[plan.id], "deadline": publication_deadline(plan)}
            for plan in plans if approved.get(plan.id)]
