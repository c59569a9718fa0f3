"""Review queries and decisions: who may review what, the queue, a record laid out for reading, its history,
and the two writes (a decision, an amendment). Views stay thin; the rules are in webapp.domain.review."""
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from webapp.core import audit, clock, keyset
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.domain import results, roles
from webapp.domain import review as rules
from webapp.domain.status import PartStatus, RecordStatus
from webapp.stages.accounts.jurisdictions import runs, sees
from webapp.stages.accounts.jurisdictions import scope as in_jurisdictions
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.models import CheckItem
from webapp.stages.plans.models import Plan, PlanItem
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import parts as review_parts
from webapp.stages.review.models import Amendment, ReviewEvent, ReviewPart

SUBMITTED = "检查结果同步到服务器"
AUDIT_LABELS = {
    "field.record_submitted": SUBMITTED,
    "field.media_uploaded": "上传图片",
    "field.record_conflict": "拒收一次内容不同的重复提交",
    "record.publish": "公示",
    "record.withdraw_publication": "撤回公示，退回审核",
    "report.pdf": "下载 PDF",
}

QUEUE_PAGE = 50  # records per page of the review queue

iso = clock.iso  # old name, kept while faces/api/amendments.py calls service.iso: use clock.iso


def review_departments(user) -> set[int] | None:
    """Departments whose records the user reviews; None means all (the office)."""
    if user.has_role(roles.OFFICE_ADMIN):
        return None
    if user.has_role(roles.REVIEWER) and user.department_id:
        return {user.department_id}
    return set()


def can_review(user, record) -> bool:
    """Office admins read any record of the jurisdictions they see; a reviewer, records with a part of their
    department (its checklist's: made, or to be made, rules.part_departments), on the team or not."""
    scope = review_departments(user)
    if scope is None:
        return sees(user, record.plan.jurisdiction_id)
    return bool(scope & set(rules.part_departments(record.findings, [m.department_id for m in record.members])))


def queue_query(user, flt: str = "waiting", plan_id: int | None = None):
    """The records of the user's review scope in the filter, as one unordered query (the filter in SQL, so that
    the queue pages by keyset at a province's size). Per department (谁抽查、谁录入、谁公示): a reviewer's
    "waiting" and "returned" are about their own department's part; the office's about any part."""
    scope = review_departments(user)
    query = select(InspectionRecord).where(InspectionRecord.status.in_(rules.REVIEWED))
    if scope is None:  # the office: its jurisdiction's records and those below
        query = in_plan_jurisdictions(query, user)
    else:
        query = query.where(review_parts.of_departments(scope, db.session.get_bind().dialect.name))
    if plan_id:
        query = query.where(InspectionRecord.plan_id == plan_id)
    if flt in ("waiting", "returned"):
        wanted = rules.PART_WAITING if flt == "waiting" else {PartStatus.RETURNED}
        part = select(ReviewPart.id).where(ReviewPart.record_id == InspectionRecord.id)
        mine = part.where(ReviewPart.status.in_([s.value for s in wanted]))
        if scope is not None:
            mine = mine.where(ReviewPart.department_id.in_(scope or {-1}))
        # A record built before its parts gets them in its own state when first read (review_parts.parts_for).
        state = RecordStatus.SUBMITTED if flt == "waiting" else RecordStatus.RETURNED
        return query.where(or_(mine.exists(), and_(~part.exists(), InspectionRecord.status == state)))
    if flt == "late":
        return query.where(InspectionRecord.late.is_(True))
    if flt == "refused":
        return query.where(InspectionRecord.refused.is_(True))
    if flt == "problems":
        return query.where(InspectionRecord.has_problems.is_(True))  # its own index (0036)
    return query


def queue(user, flt: str = "waiting", plan_id: int | None = None, after=None,
          per_page: int | None = None) -> keyset.Page:
    """One page of the queue, oldest submission first (keyset on (submitted_at, id), never OFFSET)."""
    rows = queue_query(user, flt, plan_id).options(joinedload(InspectionRecord.entity),
                                                   joinedload(InspectionRecord.plan))
    return keyset.page(rows, InspectionRecord.id, after, per_page or QUEUE_PAGE, by=InspectionRecord.submitted_at)


def waiting_count(user) -> int:
    """Records waiting for the user's review (exact up to keyset.EXACT_UP_TO, then the planner's estimate)."""
    return keyset.count(queue_query(user, "waiting"), order=(InspectionRecord.submitted_at, InspectionRecord.id))[0]


def in_plan_jurisdictions(query, user):
    """A query of records narrowed to the plans of the jurisdictions `user` sees. The plans are looked up first
    and named in the query: behind a join PostgreSQL misjudges how many of 1,000,000 records they keep and sorts
    them all instead of reading the queue's index in order."""
    plans = db.session.scalars(in_jurisdictions(select(Plan.id), Plan.jurisdiction_id, user)).all()
    return query.where(InspectionRecord.plan_id.in_(sorted(plans) or [-1]))


def waiting_rows(counts: dict[int, dict[str, int]], names: dict[int, str] | None = None) -> list[dict]:
    """Department id → part status → number, as the queue and the dashboard show it, by department name (`names`
    those known already: the others are looked up)."""
    if names is None or not set(counts) <= set(names):
        names = dict(db.session.execute(select(Department.id, Department.name).where(
            Department.id.in_(list(counts) or [-1]))).all())
    return [{"department": names.get(d, "—"), "department_id": d,
             "review": row[PartStatus.SUBMITTED] + row[PartStatus.WITHDRAWN], "returned": row[PartStatus.RETURNED],
             "to_publish": row[PartStatus.APPROVED], "published": row[PartStatus.PUBLISHED],
             "withdrawn": row[PartStatus.WITHDRAWN]}
            for d, row in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))]


def decidable_parts(user, record) -> list[ReviewPart]:
    """The parts of the record this user may decide now: a reviewer, their department's; the office, any of its
    own jurisdiction's records (a city reads a district's records, the district decides)."""
    scope = review_departments(user)
    if scope is None and not runs(user, record.plan.jurisdiction_id):
        return []
    return [p for p in review_parts.parts_of(record) if p.status in rules.PART_WAITING
            and (scope is None or p.department_id in scope)]


def returns_for(record) -> list[dict]:
    """The review comments the team sees on its phones (docs/field-api.md §Task, `returns`), oldest first."""
    events = db.session.scalars(
        select(ReviewEvent)
        .where(ReviewEvent.record_id == record.id, ReviewEvent.action == rules.RETURN)
        .order_by(ReviewEvent.at, ReviewEvent.id)
    ).all()
    return [{"comment": e.comment, "at": clock.iso(e.at), "by": e.by.full_name,
             "department": e.department.name if e.department else None} for e in events]


def team_amendments(record) -> list[dict]:
    """Every 补充说明 the server holds for the record, whoever sent it (Task.amendments): a phone shows its
    teammates' answers beside its own."""
    return [{"client_id": a.client_id, "text": a.text, "at": clock.iso(a.at), "by": a.by.full_name}
            for a in amendments_of(record)]


def document(record) -> dict:
    """The record laid out for reading and printing: departments with their items and check points (titles from
    the plan), photos resolved to Media rows, the team, the signature or refusal, and the hash check."""
    findings = record.findings or {}
    media = {m.sha256: m for m in record.media}
    plan_items = {i.id: i for i in db.session.scalars(select(PlanItem).where(PlanItem.plan_id == record.plan_id))}
    departments, captions = [], {}
    for dept in findings.get("departments", []):
        department = db.session.get(Department, dept.get("department_id"))
        items = []
        for item in dept.get("items", []):
            plan_item = plan_items.get(item.get("plan_item_id"))
            points = []
            for point in item.get("points", []):
                for sha in point.get("photos", []):
                    captions.setdefault(sha, " · ".join(filter(None, (
                        department.name if department else "", plan_item.title if plan_item else "",
                        point.get("text", "")))))
                points.append({
                    "text": point.get("text", ""),
                    "result": point.get("result"),
                    "result_label": results.ITEM_RESULTS.get(point.get("result"), "—"),
                    "note": point.get("note", ""),
                    "photos": [media[s] for s in point.get("photos", []) if s in media],
                })
            items.append({
                "title": plan_item.title if plan_item else f"检查事项 {item.get('plan_item_id')}",
                "method": item.get("method"),
                "method_label": _method_label(item.get("method")),
                "points": points,
            })
        departments.append({"name": department.name if department else "—", "checks": items,
                            "department_id": dept.get("department_id")})

    photos = sorted((m for m in record.media if m.kind == "photo"), key=lambda m: (clock.sort_key(m.captured_at), m.id))
    photos = [{"media": m, "caption": captions.get(m.sha256, "现场照片")} for m in photos]
    team = findings.get("team", {})
    present = set(team.get("present", []))
    digest = rules.findings_digest(record.findings, record.result_codes) if record.findings is not None else None
    parts = review_parts.parts_of(record)
    by_department = {p.department_id: p for p in parts}
    for block in departments:
        block["part"] = by_department.get(block["department_id"])
    return {
        "parts": [{"part": p, "name": p.department.name, "result_labels": rules.category_labels(p.result_codes),
                   "failed": rules.department_failed(record.findings, p.department_id)} for p in parts],
        "record": record,
        "departments": departments,
        "members": [
            {"member": m, "present": m.inspector.certificate_no in present} for m in record.members
        ],
        "uniform": team.get("uniform"),
        "credentials_shown": team.get("credentials_shown"),
        "result_labels": rules.category_labels(record.result_codes),
        "remarks": findings.get("remarks", ""),
        "signature": media.get(record.signature_sha) if record.signature_sha else None,
        "seal": media.get(record.seal_sha) if record.seal_sha else None,
        "evidence": [m for m in record.media if m.kind == "evidence"],
        "photos": photos,
        "hash_ok": digest is not None and digest == record.findings_hash,
        "problems": rules.has_problems(record.result_codes, record.findings),
        "amendments": amendments_of(record),
    }


def _method_label(code):
    return CheckItem.METHODS.get(code, code or "—")


def amendments_of(record) -> list[Amendment]:
    return db.session.scalars(
        select(Amendment).where(Amendment.record_id == record.id).order_by(Amendment.at, Amendment.id)
    ).all()


def amendment_media(record, amendment) -> list:
    """The Media rows of the 补拍照片 an amendment carries, in its order."""
    by_sha = {m.sha256: m for m in record.media}
    return [by_sha[s] for s in amendment.photos or [] if s in by_sha]


def amendment_shas(record) -> set[str]:
    """Every photo the record's amendments carry: part of the record as much as its signed media."""
    return {s for a in amendments_of(record) for s in a.photos or []}


def history(record) -> list[dict]:
    """Audit events, review decisions and amendments of the record, oldest first; an entry about one
    department's part carries its `department_id` and `department` (name)."""
    names = dict(db.session.execute(select(Department.id, Department.name)).all())
    entries = []
    for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "InspectionRecord",
                                 AuditEvent.object_id == str(record.id))
    ):
        if e.action.startswith("review."):
            continue  # shown below, with the comment, from the decision itself
        detail = e.detail or {}
        dept = detail.get("department_id")
        entries.append({"at": e.at, "who": e.user.full_name if e.user else "系统",
                        "what": AUDIT_LABELS.get(e.action, e.action), "text": detail.get("reason", ""),
                        "department_id": dept, "department": names.get(dept)})
    for e in db.session.scalars(select(ReviewEvent).where(ReviewEvent.record_id == record.id)):
        if e.action == "reopen":
            continue  # the amendment itself says it, below
        entries.append({"at": e.at, "who": e.by.full_name, "what": ReviewEvent.ACTION_LABELS.get(e.action, e.action),
                        "text": e.comment, "kind": e.action, "department_id": e.department_id,
                        "department": names.get(e.department_id)})
    for a in amendments_of(record):
        touched = a.department_ids
        entries.append({"at": a.at, "who": a.by.full_name, "what": "补充说明", "text": a.text, "kind": "amend",
                        "department_ids": touched, "photos": amendment_media(record, a),
                        "reopened": "、".join(names.get(d, "") for d in touched or []) if touched else ""})
    if record.submitted_at and not any(x["what"] == SUBMITTED for x in entries):
        submitter = db.session.get(User, record.submitted_by_id) if record.submitted_by_id else None
        entries.append({"at": record.submitted_at, "who": submitter.full_name if submitter else "检查组",
                        "what": "提交检查结果", "text": ""})
    entries.sort(key=lambda x: clock.sort_key(x["at"]))
    return entries


def part_history(entries, department_id) -> list[dict]:
    """The entries about one department's part: its decisions, the amendments that re-opened it, its
    publications and withdrawals."""
    return [x for x in entries if x.get("department_id") == department_id
            or department_id in (x.get("department_ids") or [])]


def decide(record, user, action: str, comment: str = "", department_id: int | None = None,
           codes=None) -> ReviewEvent:
    """Approve or return a department's part (谁抽查、谁录入、谁公示); ReviewError when the state, the comment or the
    categories do not allow it. A reviewer decides their department's part; the office names the department,
    or, naming none, decides every part waiting. `codes`: the part's result categories, when approving."""
    scope = review_departments(user)
    if scope is None and not runs(user, record.plan.jurisdiction_id):
        raise rules.ReviewError("只能审核本辖区计划的检查表。", 403)
    waiting = decidable_parts(user, record)
    if department_id is not None:
        if scope is not None and department_id not in scope:
            raise rules.ReviewError("只能审核本部门的检查事项。", 403)
        targets = [p for p in review_parts.parts_of(record) if p.department_id == department_id]
        if not targets:
            raise rules.ReviewError("该检查表没有该部门的检查事项。", 404)
    elif scope is None:
        targets = waiting or review_parts.parts_of(record)[:1]
    else:
        targets = [p for p in review_parts.parts_of(record) if p.department_id in scope]
        if not targets:
            raise rules.ReviewError("该检查表没有本部门的检查事项。")
    old_status = record.status
    events = [review_parts.decide(p, user, action, comment, codes) for p in targets]
    review_parts.sync(record, review_parts.parts_of(record))
    audit.record(f"review.{action}", record, user=user, status_from=old_status, status_to=record.status,
                 comment=events[-1].comment, findings_hash=record.findings_hash,
                 departments=[p.department_id for p in targets],
                 result_codes={str(p.department_id): list(p.result_codes or []) for p in targets})
    db.session.commit()
    return events[-1]


def add_amendment(record, user, text: str, client_id: str, department_ids=None, photos=None) -> Amendment:
    """The team's answer to a return; it re-opens review only for the parts it answers (the departments it
    names, else every returned part: webapp.domain.review.amend_parts), the other approvals stand. The signed
    findings stay exactly as they were."""
    parts = review_parts.parts_of(record)
    touched = rules.amend_parts({p.department_id: p.status for p in parts}, text, department_ids)
    amendment = Amendment(record_id=record.id, text=text.strip(), client_id=client_id, by_id=user.id,
                          department_ids=touched, photos=list(photos) if photos else None)
    for p in parts:
        if p.department_id in touched:
            review_parts.reopen(p, user, amendment.text)
    review_parts.sync(record, parts)
    db.session.add(amendment)
    audit.record("review.amendment", record, user=user, client_id=client_id, status_to=record.status,
                 departments=touched, findings_hash=record.findings_hash)
    db.session.commit()
    return amendment
