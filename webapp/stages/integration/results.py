"""Published results as others read them: one row per enterprise and department (谁抽查、谁公示), in the national
publicity layout (检查实施机关, 检查类型, 检查日期, 检查结果, 统一社会信用代码, 企业名称), and the withdrawals.
Only what the public pages show: published parts, never people, media, positions or notes."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import publication
from webapp.domain.status import PartStatus
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department, Jurisdiction
from webapp.stages.directory.models import Entity
from webapp.stages.plans.models import Plan
from webapp.stages.publication.models import PublicationWithdrawal
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import parts as review_parts
from webapp.stages.review.models import ReviewPart

CHECK_TYPE = "双随机抽查"  # the national system's 检查类型 for a draw-based check (as opposed to 定向/不定向抽查)
NATIONAL_COLUMNS = ("检查实施机关", "检查类型", "检查日期", "检查结果", "统一社会信用代码", "企业名称")
FEED_COLUMNS = ("结果编号",) + NATIONAL_COLUMNS + ("检查部门", "公示时间", "所属辖区代码", "抽查计划文号", "核验链接编号")


@dataclass
class PublishedRow:
    id: str                 # stable: the record's public token and the department's code
    part_id: int
    authority: str
    check_type: str
    inspected_on: date | None
    results: list[str]
    uscc: str
    name: str
    department: str
    department_id: int
    published_at: datetime
    jurisdiction: str
    plan_doc: str
    token: str

    def national(self) -> list:
        return [self.authority, self.check_type, self.inspected_on.isoformat() if self.inspected_on else "",
                "；".join(self.results), self.uscc, self.name]

    def feed_row(self) -> list:
        return [self.id] + self.national() + [self.department, _iso(self.published_at), self.jurisdiction,
                                             self.plan_doc, self.token]

    def as_dict(self) -> dict:
        return {"id": self.id, "authority": self.authority, "check_type": self.check_type,
                "inspected_on": self.inspected_on.isoformat() if self.inspected_on else None,
                "results": self.results, "uscc": self.uscc, "name": self.name, "department": self.department,
                "department_id": self.department_id, "published_at": _iso(self.published_at),
                "jurisdiction": self.jurisdiction, "plan_doc": self.plan_doc, "verify_token": self.token}


@dataclass
class WithdrawalRow:
    id: str
    record_token: str
    uscc: str
    name: str
    department: str
    reason: str
    at: datetime
    published_at: datetime | None


def _iso(moment) -> str | None:
    return clock.aware(moment).isoformat(timespec="seconds") if moment else None


def jurisdiction_scope(code: str | None) -> set[int] | None:
    """The ids of the jurisdiction named by its GB/T 2260 code and everything below it; None for no filter."""
    if not code:
        return None
    found = db.session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == code))
    return jurisdictions.below(found) if found is not None else set()


def published(visible: set[int] | None = None, department_id: int | None = None, since: date | None = None,
              until: date | None = None, after: int | None = None, limit: int | None = None) -> list[PublishedRow]:
    """The published parts, oldest part first (ids ascending, for cursors), within `visible` jurisdictions."""
    review_parts.materialise()
    q = (select(ReviewPart, InspectionRecord, Entity, Plan, Department, Jurisdiction.code)
         .join(InspectionRecord, InspectionRecord.id == ReviewPart.record_id)
         .join(Entity, Entity.id == InspectionRecord.entity_id)
         .join(Plan, Plan.id == InspectionRecord.plan_id)
         .join(Department, Department.id == ReviewPart.department_id)
         .outerjoin(Jurisdiction, Jurisdiction.id == Plan.jurisdiction_id)
         .where(ReviewPart.status == PartStatus.PUBLISHED)
         .order_by(ReviewPart.id))
    q = _within(q, ReviewPart.department_id, ReviewPart.published_at, visible, department_id, since, until)
    if after is not None:
        q = q.where(ReviewPart.id > after)
    if limit is not None:
        q = q.limit(limit)
    out = []
    for part, record, entity, plan, dept, jcode in db.session.execute(q).all():
        out.append(PublishedRow(
            id=f"{record.token}-{dept.code}", part_id=part.id, authority=part.authority or dept.name,
            check_type=CHECK_TYPE, inspected_on=record.inspected_on,
            results=publication.result_labels(part.result_codes or []), uscc=entity.uscc, name=entity.name,
            department=dept.name, department_id=dept.id, published_at=part.published_at,
            jurisdiction=jcode or "", plan_doc=plan.doc_number, token=record.token))
    return out


def _bounds(d: date) -> datetime:
    """The start of Beijing day `d` (the regime's days), as an aware moment; published_at is stored in UTC."""
    return datetime.combine(d, time.min, tzinfo=clock.BEIJING)


def _within(q, department_col, at_col, visible, department_id, since, until):
    """`q` narrowed to the `visible` jurisdictions (by the plan), one department, and Beijing days since..until."""
    if visible is not None:
        q = q.where(Plan.jurisdiction_id.in_(sorted(visible)))
    if department_id is not None:
        q = q.where(department_col == department_id)
    if since is not None:
        q = q.where(at_col >= _bounds(since))
    if until is not None:
        q = q.where(at_col < _bounds(until + timedelta(days=1)))
    return q


def withdrawals(visible: set[int] | None = None, department_id: int | None = None, since: date | None = None,
                until: date | None = None) -> list[WithdrawalRow]:
    q = (select(PublicationWithdrawal, InspectionRecord, Entity, Plan)
         .join(InspectionRecord, InspectionRecord.id == PublicationWithdrawal.record_id)
         .join(Entity, Entity.id == InspectionRecord.entity_id)
         .join(Plan, Plan.id == InspectionRecord.plan_id)
         .order_by(PublicationWithdrawal.id))
    q = _within(q, PublicationWithdrawal.department_id, PublicationWithdrawal.at, visible, department_id, since, until)
    return [WithdrawalRow(id=f"withdrawal-{w.id}", record_token=r.token, uscc=e.uscc, name=e.name,
                          department=w.department.name if w.department else "", reason=w.reason, at=w.at,
                          published_at=w.published_at)
            for w, r, e, _ in db.session.execute(q).all()]
