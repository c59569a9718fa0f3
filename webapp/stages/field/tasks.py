"""The inspector's tasks as the phone downloads them: everything needed to work a record offline."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import findings as rules
from webapp.stages.field.models import FieldSubmission
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


def _valid_id(record_id) -> bool:
    return isinstance(record_id, int) and not isinstance(record_id, bool)


def member_record(user, record_id) -> InspectionRecord | None:
    """The record if the user is on its team, else None (the API answers 404 either way). One statement: the
    record with its team."""
    if not _valid_id(record_id):
        return None
    record = db.session.scalars(select(InspectionRecord).where(InspectionRecord.id == record_id)
                                .options(joinedload(InspectionRecord.members))).unique().first()
    if record is None or record.member_for(user) is None:
        return None
    return record


def submission_record(record_id, client_uuid: str) -> tuple[InspectionRecord | None, bool]:
    """For a record PUT: the record with everything its findings are checked against (team and their
    certificates, the plan; its items and departments by a statement each: joined too, they would multiply the
    rows, members × items × departments), and whether `client_uuid` was accepted before."""
    seen = select(FieldSubmission.id).where(FieldSubmission.client_uuid == client_uuid).exists()
    if not _valid_id(record_id):
        return None, bool(db.session.scalar(select(seen)))
    row = db.session.execute(
        select(InspectionRecord, seen).where(InspectionRecord.id == record_id)
        .options(joinedload(InspectionRecord.members).joinedload(RecordMember.inspector),
                 joinedload(InspectionRecord.plan).selectinload(Plan.items),
                 joinedload(InspectionRecord.plan).selectinload(Plan.departments))
    ).unique().first()
    if row is None:
        return None, bool(db.session.scalar(select(seen)))
    return row[0], bool(row[1])


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


