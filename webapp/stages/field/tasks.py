"""The inspector's tasks as the phone downloads them: everything needed to work a record offline."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import findings as rules
from webapp.stages.plans.models import Plan
from webapp.stages.records.models import InspectionRecord, RecordMember

# Old names, kept while faces/api/tasks.py, faces/demo/results.py and tests/field_api still import them:
# use webapp.core.clock.today() and clock.iso() instead.
today_in_china = clock.today
iso = clock.iso


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


