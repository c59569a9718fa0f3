"""The parts of a joint 一企一表, one per participating department (谁抽查、谁录入、谁公示): made, read, moved on.

Every write to `review_parts` is here (the publication stage calls `mark_published` / `mark_withdrawn`), and
every one ends with `sync`, which sets the record's status from its parts' (webapp.domain.status.overall), so that
the phone and the pages that read the record's one status keep working.

Parts are made when a record is first read for review (or published): a record the field stage has just taken in,
or one built before its parts, gets one part per department in the record's state, as 0013 did for the records
that existed then (webapp.domain.review PART_OF_RECORD, part_departments, part_codes)."""
from sqlalchemy import Integer, String, case, cast, func, literal, null, or_, select, true, union
from sqlalchemy.exc import IntegrityError

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import review as rules
from webapp.domain.status import PartStatus, overall
from webapp.stages.accounts.models import Department
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.review.models import ReviewEvent, ReviewPart


def _load(record_ids) -> dict[int, list[ReviewPart]]:
    out: dict[int, list[ReviewPart]] = {i: [] for i in record_ids}
    if not record_ids:
        return out
    for part in db.session.scalars(select(ReviewPart).where(ReviewPart.record_id.in_(list(record_ids)))
                                   .order_by(ReviewPart.record_id, ReviewPart.position, ReviewPart.id)):
        out[part.record_id].append(part)
    return out


def _missing(record: InspectionRecord) -> bool:
    return record.status in rules.PART_OF_RECORD


def _make(record: InspectionRecord, names: dict[int, str]) -> list[ReviewPart]:
    status = rules.PART_OF_RECORD[record.status]
    made = []
    for position, department_id in enumerate(
            rules.part_departments(record.findings, [m.department_id for m in record.members])):
        made.append(ReviewPart(
            record_id=record.id, department_id=department_id, position=position, status=status,
            result_codes=rules.part_codes(record.findings, record.result_codes, department_id),
            published_at=record.published_at if status == PartStatus.PUBLISHED else None,
            authority=names.get(department_id, ""),
        ))
    return made


def parts_for(records) -> dict[int, list[ReviewPart]]:
    """The parts of these records by record id, made (and committed) for records in review that have none."""
    records = list(records)
    found = _load([r.id for r in records])
    lacking = [r for r in records if not found[r.id] and _missing(r)]
    if lacking:
        names = dict(db.session.execute(select(Department.id, Department.name)).all())
        try:
            with db.session.begin_nested():
                for r in lacking:
                    db.session.add_all(_make(r, names))
        except IntegrityError:  # another request made them at the same moment: theirs stand
            pass
        db.session.commit()
        found.update(_load([r.id for r in lacking]))
    return found


def parts_of(record: InspectionRecord) -> list[ReviewPart]:
    return parts_for([record])[record.id]


def part_of(record: InspectionRecord, department_id: int) -> ReviewPart | None:
    return next((p for p in parts_of(record) if p.department_id == department_id), None)


def sync(record: InspectionRecord, parts: list[ReviewPart]) -> None:
    """The record's status (and its publication moment, the latest of its parts') from its parts."""
    if not parts:
        return
    record.status = overall(p.status for p in parts)
    published = [p.published_at for p in parts if p.status == PartStatus.PUBLISHED and p.published_at]
    record.published_at = max(published, key=clock.sort_key) if published else None


def complete(parts) -> bool:
    """Every part published or withdrawn: nothing left to publish."""
    from webapp.domain.status import PART_DONE

    parts = list(parts)
    return bool(parts) and all(p.status in PART_DONE for p in parts)


def _event(part: ReviewPart, action: str, user, comment: str = "") -> ReviewEvent:
    event = ReviewEvent(record_id=part.record_id, department_id=part.department_id, action=action,
                        comment=comment, by_id=getattr(user, "id", None))
    db.session.add(event)
    return event


def decide(part: ReviewPart, user, action: str, comment: str, codes=None) -> ReviewEvent:
    """A department's decision on its part (caller syncs and commits)."""
    record = part.record
    new_status = rules.decide_part(part.status, action, comment, codes,
                                   rules.department_failed(record.findings, part.department_id))
    part.status = new_status
    part.decided_by_id, part.decided_at = user.id, clock.utcnow()
    if action == rules.APPROVE and codes is not None:
        part.result_codes = sorted(set(codes))
    return _event(part, action, user, (comment or "").strip())


def reopen(part: ReviewPart, user, text: str) -> None:
    """A 补充说明 answers this part: back in its department's queue (its earlier approval set aside)."""
    if part.status in (PartStatus.RETURNED, PartStatus.APPROVED):
        part.status = PartStatus.SUBMITTED
        part.decided_by_id = part.decided_at = None
    _event(part, "reopen", user, text)


def mark_published(part: ReviewPart, at) -> None:
    part.status, part.published_at = PartStatus.PUBLISHED, at
    part.authority = part.department.name  # the audit trail (record.publish) says who published it


def correct(part: ReviewPart, user, codes, comment: str) -> ReviewEvent:
    """An upheld objection (异议成立) corrects a published part's result categories; it stays published, and the
    correction is an event of its review (the enterprise stage keeps the objection and shows the note)."""
    part.result_codes = sorted(set(codes))
    return _event(part, "correct", user, comment)


def mark_withdrawn(part: ReviewPart) -> None:
    part.status, part.published_at = PartStatus.WITHDRAWN, None  # the reason: PublicationWithdrawal


def materialise(plan_id: int | None = None) -> None:
    """Make the parts of records in review or after that have none (built before their parts), so that a query
    on parts sees every such record."""
    query = select(InspectionRecord).where(
        InspectionRecord.status.in_(list(rules.PART_OF_RECORD)),
        ~select(ReviewPart.id).where(ReviewPart.record_id == InspectionRecord.id).exists())
    if plan_id is not None:
        query = query.where(InspectionRecord.plan_id == plan_id)
    lacking = db.session.scalars(query).all()
    if lacking:
        parts_for(lacking)


# ---- in SQL: the departments of a record's parts, made or to be made (rules.part_departments) -------------------
R, P = InspectionRecord, ReviewPart


def findings_departments(dialect: str):
    """The departments a record's findings hold (its checklist, as the phone filled it): a table-valued function of
    `inspection_records.findings` to join, and the department id, an integer (NULL where the block has none)."""
    if dialect == "postgresql":
        listed = R.findings.op("->")(literal("departments"))
        blocks = func.json_array_elements(case((func.json_typeof(listed) == "array", listed))).table_valued("value")
        department = blocks.c.value.op("->>")(literal("department_id"))
    else:
        blocks = func.json_each(R.findings, "$.departments").table_valued("value")
        department = func.json_extract(blocks.c.value, "$.department_id")
    return blocks, cast(department, Integer)


def _unmade():
    return ~select(P.id).where(P.record_id == R.id).exists()


def department_pairs(among, dialect: str):
    """(record_id, department_id, status: its part's, None if not made yet) for the records `among` (a function
    of an id column) picks: the departments of their parts; a record without parts, those it will get: its
    findings', else (no findings yet) its team's."""
    blocks, department = findings_departments(dialect)
    checklist = select(R.id.label("record_id"), department.label("department_id")).select_from(R) \
        .join(blocks, true()).where(among(R.id), _unmade(), department.is_not(None)).cte("checklist")
    team = select(RecordMember.record_id, RecordMember.department_id, cast(null(), String)) \
        .join(R, R.id == RecordMember.record_id).where(
            among(RecordMember.record_id), _unmade(),
            ~select(checklist.c.record_id).where(checklist.c.record_id == R.id).exists())
    return union(select(P.record_id, P.department_id, P.status).where(among(P.record_id)),
                 select(checklist.c.record_id, checklist.c.department_id, cast(null(), String)),
                 team).subquery("pair")


def of_departments(departments, dialect: str):
    """SQL: the record (`inspection_records` of the enclosing query) has a part of one of these departments, made
    or to be made: a department reviews its part whether or not anyone of it is on the team."""
    departments = sorted(departments) or [-1]
    blocks, department = findings_departments(dialect)
    found = select(literal(1)).select_from(blocks).where(department.is_not(None))
    team = select(RecordMember.id).where(RecordMember.record_id == R.id,
                                         RecordMember.department_id.in_(departments))
    made = select(P.id).where(P.record_id == R.id, P.department_id.in_(departments))
    return or_(made.exists(), _unmade() & or_(found.where(department.in_(departments)).exists(),
                                              ~found.exists() & team.exists()))
