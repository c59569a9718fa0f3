"""The inspector's tasks as the phone downloads them: everything needed to work a record offline."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..domain import findings as rules
from ..domain import results
from ..extensions import db
from ..models import CheckItem, InspectionRecord, Plan, RecordMember
from ..review import returns_for, team_amendments

BEIJING = timezone(timedelta(hours=8))


def today_in_china() -> date:
    """Deadlines are counted on the calendar of the place of inspection, whatever the server's zone."""
    return datetime.now(BEIJING).date()


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()


def member_records(user, statuses=None) -> list[InspectionRecord]:
    """Records where the user is on the team, drawn or appointed, in plans not closed."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return []
    query = (
        select(InspectionRecord)
        .join(RecordMember, RecordMember.record_id == InspectionRecord.id)
        .join(Plan, Plan.id == InspectionRecord.plan_id)
        .where(RecordMember.inspector_id == profile.id, Plan.status != "closed")
        .options(
            selectinload(InspectionRecord.members).selectinload(RecordMember.inspector),
            selectinload(InspectionRecord.members).selectinload(RecordMember.department),
            selectinload(InspectionRecord.entity),
            selectinload(InspectionRecord.plan).selectinload(Plan.items),
            selectinload(InspectionRecord.plan).selectinload(Plan.departments),
        )
        .order_by(InspectionRecord.id)
    )
    if statuses:
        query = query.where(InspectionRecord.status.in_(statuses))
    return db.session.scalars(query).unique().all()


def member_record(user, record_id) -> InspectionRecord | None:
    """The record if the user is on its team, else None (the API answers 404 either way)."""
    if not isinstance(record_id, int) or isinstance(record_id, bool):
        return None
    record = db.session.get(InspectionRecord, record_id)
    if record is None or record.member_for(user) is None:
        return None
    return record


def department_ids(record) -> list[int]:
    """Every participating department of the plan inspects the enterprise: one joint record (一企一表)."""
    return [pd.department_id for pd in record.plan.departments]


def plan_items(record) -> list[rules.Item]:
    return [
        rules.Item(i.id, i.department_id, i.title, tuple(i.methods or ()), tuple(i.check_points or ()))
        for i in record.plan.items
    ]


def team(record) -> dict[str, rules.Member]:
    return {
        m.inspector.certificate_no: rules.Member(m.inspector.certificate_no, m.inspector.name, m.kind)
        for m in record.members
    }


def task(record) -> dict:
    plan = record.plan
    entity = record.entity
    departments = []
    for pd in plan.departments:
        departments.append({
            "department_id": pd.department_id,
            "name": pd.department.name,
            "items": [
                {"plan_item_id": i.id, "title": i.title, "methods": list(i.methods or ()),
                 "check_points": list(i.check_points or ())}
                for i in plan.items_of(pd.department_id)
            ],
        })
    return {
        "record_id": record.id,
        "token": record.token,
        "status": record.status,
        "status_label": InspectionRecord.STATUS_LABELS.get(record.status, record.status),
        "server_hash": record.findings_hash,
        "client_uuid": record.client_uuid,
        "inspected_on": iso(record.inspected_on),
        "submitted_at": iso(record.submitted_at),
        "sync_due": iso(record.sync_due),
        "due_provisional": record.due_provisional,
        "late": record.late,
        "plan": {
            "id": plan.id, "doc_number": plan.doc_number, "title": plan.title,
            "window_start": iso(plan.window_start), "window_end": iso(plan.window_end),
            "entry_days": plan.entry_days,
        },
        "entity": {
            "uscc": entity.uscc, "name": entity.name, "address": entity.address,
            "legal_rep": entity.legal_rep, "checkin_token": entity.checkin_token,
        },
        "team": [
            {"name": m.inspector.name, "certificate_no": m.inspector.certificate_no,
             "department": m.department.name, "is_leader": m.is_leader, "kind": m.kind}
            for m in record.members
        ],
        "departments": departments,
        # Review comments (webapp.review); a record never submitted has none, so no query for it.
        "returns": [] if record.status == "dispatched" else returns_for(record),
        "amendments": [] if record.status == "dispatched" else team_amendments(record),
    }


def tasks_payload(user) -> dict:
    return {
        "tasks": [task(r) for r in member_records(user)],
        "result_categories": dict(results.CATEGORIES),
        "problems": sorted(results.PROBLEMS),
        "dispositions": sorted(results.DISPOSITIONS),
        "item_results": dict(results.ITEM_RESULTS),
        "methods": dict(CheckItem.METHODS),
    }
