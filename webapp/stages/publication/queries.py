"""What the public portal reads: published results and the little that may be shown of them. Per department
(谁抽查、谁录入、谁公示): a record is on the public pages once one department's part is published, and each
department's result is shown with its date and its 检查实施机关; a part not yet published shows nothing of its
result."""
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from webapp.core import keyset
from webapp.core.extensions import db
from webapp.domain import publication
from webapp.domain.status import PART_DONE, PartStatus, RecordStatus
from webapp.stages.accounts.models import Department
from webapp.stages.directory.models import Entity
from webapp.stages.publication import board
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import parts as review_parts
from webapp.stages.review.models import ReviewPart

SEARCH_LIMIT = 50

PUBLIC_STATUS = {
    RecordStatus.DISPATCHED: "已派发，尚未录入检查结果",
    RecordStatus.SUBMITTED: "检查结果已录入，待审核",
    RecordStatus.RETURNED: "审核中（已退回补充说明）",
    RecordStatus.APPROVED: "已审核通过，待公示",
    RecordStatus.PUBLISHED: "已公示",
}
PARTLY_PUBLISHED = "部分部门已公示，其余部门审核后公示"
PART_PUBLIC_STATUS = {
    PartStatus.SUBMITTED: "待该部门审核后公示",
    PartStatus.RETURNED: "审核中（已退回补充说明）",
    PartStatus.APPROVED: "已审核通过，待公示",
    PartStatus.PUBLISHED: "已公示",
    PartStatus.WITHDRAWN: "公示已撤回，重新审核中",
}


def _published_records():
    """Ids of the records with at least one department's part published."""
    return select(ReviewPart.record_id).where(ReviewPart.status == PartStatus.PUBLISHED)


def _escape(text: str) -> str:
    """LIKE wildcards typed by the public are taken literally."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def search(q: str) -> list[tuple[Entity, int]]:
    """Entities with at least one published record whose name contains q or whose USCC starts with it."""
    q = (q or "").strip()
    if not q:
        return []
    review_parts.materialise()
    published = (
        select(InspectionRecord.entity_id, func.count().label("n"))
        .where(InspectionRecord.id.in_(_published_records()))
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
class PublicPart:
    """One department's part as the public sees it: its result, date and 检查实施机关 once published."""
    department: str
    authority: str
    status: str           # webapp.domain.status.PartStatus
    status_text: str
    results: list[str]    # empty until published
    published_at: object  # None until published
    follow_ups: list[PublicFollowUp]

    @property
    def published(self) -> bool:
        return self.status == PartStatus.PUBLISHED


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
    parts: list[PublicPart]


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
    parts = review_parts.parts_of(record)
    shown = []
    for p in parts:
        public = p.status == PartStatus.PUBLISHED
        shown.append(PublicPart(
            department=p.department.name, authority=p.authority or p.department.name, status=p.status,
            status_text=PART_PUBLIC_STATUS.get(p.status, p.status),
            results=publication.result_labels(p.result_codes) if public else [],
            published_at=p.published_at if public else None,
            follow_ups=[PublicFollowUp(t.department.name, t.status, t.deadline,
                                       t.closed_at.date() if t.closed_at else None)
                        for t in tasks if t.department_id == p.department_id] if public else [],
        ))
    public_parts = [x for x in shown if x.published]
    public_codes = {c for p in parts if p.status == PartStatus.PUBLISHED for c in p.result_codes or []}
    public_tasks = [t for t in tasks if any(p.department_id == t.department_id and p.status == PartStatus.PUBLISHED
                                            for p in parts)]
    status = PUBLIC_STATUS.get(record.status, record.status)
    if public_parts and len(public_parts) < len(shown):
        status = PARTLY_PUBLISHED
    return PublicResult(
        token=record.token,
        plan_title=record.plan.title,
        plan_doc=record.plan.doc_number,
        inspected_on=record.inspected_on,
        published_at=max((x.published_at for x in public_parts), default=None),
        departments=[x.department for x in shown] or record_departments(record),
        results=publication.result_labels(public_codes),
        follow_up=publication.follow_up_state(t.status for t in public_tasks) if public_parts else None,
        follow_ups=[PublicFollowUp(t.department.name, t.status, t.deadline, t.closed_at.date() if t.closed_at else None)
                    for t in public_tasks],
        status=status,
        parts=shown,
    )


def published_results(entity: Entity) -> list[PublicResult]:
    review_parts.materialise()
    records = db.session.scalars(
        select(InspectionRecord)
        .where(InspectionRecord.entity_id == entity.id, InspectionRecord.id.in_(_published_records()))
        .order_by(InspectionRecord.inspected_on.desc(), InspectionRecord.id.desc())
    ).all()
    return [public_result(r) for r in records]


def recently_published(limit: int = 10) -> list[tuple[Entity, InspectionRecord]]:
    """The latest records with a published part, newest first, for the portal's front page."""
    review_parts.materialise()
    latest = (select(ReviewPart.record_id, func.max(ReviewPart.published_at).label("at"))
              .where(ReviewPart.status == PartStatus.PUBLISHED).group_by(ReviewPart.record_id).subquery())
    rows = db.session.execute(
        select(Entity, InspectionRecord)
        .join(InspectionRecord, InspectionRecord.entity_id == Entity.id)
        .join(latest, latest.c.record_id == InspectionRecord.id)
        .order_by(latest.c.at.desc(), InspectionRecord.id.desc())
        .limit(limit)
    ).all()
    return [(entity, record) for entity, record in rows]


def published_codes(record: InspectionRecord) -> list[str]:
    """The result categories of the record's published parts, for the portal's list."""
    return sorted({c for p in review_parts.parts_of(record) if p.status == PartStatus.PUBLISHED
                   for c in p.result_codes or []})


def entity_by_uscc(uscc: str) -> Entity | None:
    return db.session.scalar(select(Entity).where(Entity.uscc == (uscc or "").strip().upper()))



# ---- the office's publication page of a plan, at a province's size ---------------------------------------------
PLAN_PAGE = 50  # parts per page of each list


def plan_parts(plan_id: int, status: str, after, newest_first: bool = False, total: int | None = None) -> keyset.Page:
    """One page of the plan's parts in `status` (keyset on the part's id: the approved oldest first, the
    published newest first), each with its record, enterprise and department loaded in the same statement;
    `total`: their number when known already (`plan_counts`), else counted as keyset counts."""
    query = (select(ReviewPart).join(InspectionRecord, InspectionRecord.id == ReviewPart.record_id)
             .where(InspectionRecord.plan_id == plan_id, ReviewPart.status == status)
             .options(contains_eager(ReviewPart.record).joinedload(InspectionRecord.entity),
                      joinedload(ReviewPart.department)))
    return keyset.page(query, ReviewPart.id, after, PLAN_PAGE, newest_first=newest_first, known=total)


def plan_counts(plan_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """From the dashboard's kept counts: the plan's parts per status, and department name → its parts still
    waiting for its review or returned (not approved, not published or withdrawn)."""
    counts = board.per_plan([plan_id])[0].get(plan_id, {})
    names = dict(db.session.execute(select(Department.id, Department.name).where(
        Department.id.in_(list(counts) or [-1]))).all())
    totals = {status: sum(row[status] for row in counts.values()) for status in PartStatus}
    held = {names.get(d, "—"): sum(n for status, n in row.items()
                                   if status not in PART_DONE and status != PartStatus.APPROVED)
            for d, row in counts.items()}
    return totals, {name: n for name, n in sorted(held.items()) if n}
