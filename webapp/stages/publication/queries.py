"""What the public portal reads: published records and the little that may be shown of them."""
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from webapp.core.extensions import db
from webapp.domain import publication
from webapp.domain.status import RecordStatus
from webapp.stages.accounts.models import Department
from webapp.stages.directory.models import Entity
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.models import InspectionRecord

SEARCH_LIMIT = 50

PUBLIC_STATUS = {
    RecordStatus.DISPATCHED: "已派发，尚未录入检查结果",
    RecordStatus.SUBMITTED: "检查结果已录入，待审核",
    RecordStatus.RETURNED: "审核中（已退回补充说明）",
    RecordStatus.APPROVED: "已审核通过，待公示",
    RecordStatus.PUBLISHED: "已公示",
}


def _escape(text: str) -> str:
    """LIKE wildcards typed by the public are taken literally."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def search(q: str) -> list[tuple[Entity, int]]:
    """Entities with at least one published record whose name contains q or whose USCC starts with it."""
    q = (q or "").strip()
    if not q:
        return []
    published = (
        select(InspectionRecord.entity_id, func.count().label("n"))
        .where(InspectionRecord.status == publication.PUBLISHED)
        .group_by(InspectionRecord.entity_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Entity, published.c.n)
        .join(published, published.c.entity_id == Entity.id)
        .where(or_(
            Entity.name.like("%" + _escape(q) + "%", escape="\\"),
            Entity.uscc.like(_escape(q.upper()) + "%", escape="\\"),
        ))
        .order_by(Entity.name)
        .limit(SEARCH_LIMIT)
    ).all()
    return [(e, n) for e, n in rows]


@dataclass
class PublicFollowUp:
    department: str
    status: str  # open | closed
    deadline: date
    closed_on: date | None


@dataclass
class PublicResult:
    """One published record as the public sees it: no people, no media, no positions, no phone numbers."""
    token: str
    plan_title: str
    plan_doc: str
    inspected_on: date | None
    published_at: object
    departments: list[str]
    results: list[str]
    follow_up: str | None  # None | open | closed
    follow_ups: list[PublicFollowUp]
    status: str


def record_departments(record: InspectionRecord) -> list[str]:
    """Departments that checked items (from the findings), then any other department on the team."""
    ids = []
    found = [d.get("department_id") for d in (record.findings or {}).get("departments", []) or []]
    for dept_id in found + [m.department_id for m in record.members]:
        if dept_id is not None and dept_id not in ids:
            ids.append(dept_id)
    if not ids:
        ids = [d.department_id for d in record.plan.departments]
    names = dict(db.session.execute(select(Department.id, Department.name).where(Department.id.in_(ids))).all())
    return [names[i] for i in ids if i in names]


def public_result(record: InspectionRecord) -> PublicResult:
    tasks = db.session.scalars(
        select(FollowUpTask).where(FollowUpTask.record_id == record.id).order_by(FollowUpTask.id)
    ).all()
    published = record.status == publication.PUBLISHED
    return PublicResult(
        token=record.token,
        plan_title=record.plan.title,
        plan_doc=record.plan.doc_number,
        inspected_on=record.inspected_on,
        published_at=record.published_at,
        departments=record_departments(record),
        results=publication.result_labels(record.result_codes) if published else [],
        follow_up=publication.follow_up_state(t.status for t in tasks) if published else None,
        follow_ups=[
            PublicFollowUp(t.department.name, t.status, t.deadline, t.closed_at.date() if t.closed_at else None)
            for t in tasks
        ] if published else [],
        status=PUBLIC_STATUS.get(record.status, record.status),
    )


def published_results(entity: Entity) -> list[PublicResult]:
    records = db.session.scalars(
        select(InspectionRecord)
        .where(InspectionRecord.entity_id == entity.id, InspectionRecord.status == publication.PUBLISHED)
        .order_by(InspectionRecord.inspected_on.desc(), InspectionRecord.id.desc())
    ).all()
    return [public_result(r) for r in records]


def recently_published(limit: int = 10) -> list[tuple[Entity, InspectionRecord]]:
    """The latest published records, newest first, for the portal's front page."""
    rows = db.session.execute(
        select(Entity, InspectionRecord)
        .join(InspectionRecord, InspectionRecord.entity_id == Entity.id)
        .where(InspectionRecord.status == publication.PUBLISHED)
        .order_by(InspectionRecord.published_at.desc(), InspectionRecord.id.desc())
        .limit(limit)
    ).all()
    return [(entity, record) for entity, record in rows]


def entity_by_uscc(uscc: str) -> Entity | None:
    return db.session.scalar(select(Entity).where(Entity.uscc == (uscc or "").strip().upper()))

