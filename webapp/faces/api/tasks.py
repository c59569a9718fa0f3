"""The task list the phone reads: each record with its plan, enterprise, team, items, and the review's returns and
the team's 补充说明 (docs/field-api.md §GET /api/field/tasks)."""
from webapp.domain import results
from webapp.domain.status import RecordStatus
from webapp.stages.directory.models import CheckItem
from webapp.stages.field.tasks import iso, member_records
from webapp.stages.review.parts import parts_of
from webapp.stages.review.service import returns_for, team_amendments


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
        "status_label": record.status_label,
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
        # Review comments; a record never submitted has none, so no query for it.
        "returns": [] if record.status == RecordStatus.DISPATCHED else returns_for(record),
        "amendments": [] if record.status == RecordStatus.DISPATCHED else team_amendments(record),
        # Each department's part of the record (reviewed and published per department).
        "parts": [] if record.status == RecordStatus.DISPATCHED else [
            {"department_id": p.department_id, "department": p.department.name, "status": p.status,
             "status_label": p.status_label} for p in parts_of(record)],
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

