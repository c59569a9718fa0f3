"""The inspector's tasks as the phone downloads them: everything needed to work a record offline."""
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import defer, joinedload, selectinload

from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.kept import Kept
from webapp.domain import findings as rules
from webapp.domain.workdays import Calendar
from webapp.stages.directory.models import InspectorProfile
from webapp.stages.field.models import FieldSubmission
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import CalendarOverride, Plan, PlanDepartment, PlanItem
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
                                .options(joinedload(InspectionRecord.members), defer(InspectionRecord.findings))
                                ).unique().first()
    if record is None or record.member_for(user) is None:
        return None
    return record


def submission_record(record_id, client_uuid: str):
    """For a record PUT, in one statement: the record with its team and their certificates and its plan (the
    plan's items and departments load when the findings are checked, a statement each: joined too, they would
    multiply the rows, members × items × departments; a replay never needs them), the submission accepted
    before under `client_uuid` if any, and the working-day calendar's key (`calendar`).
    Returns (record or None, previous submission or None, calendar key)."""
    if not _valid_id(record_id):
        return None, previous_submission(client_uuid), None
    row = db.session.execute(
        select(InspectionRecord, FieldSubmission, _calendar_key())
        .outerjoin(FieldSubmission, FieldSubmission.client_uuid == client_uuid)
        .where(InspectionRecord.id == record_id)
        .options(joinedload(InspectionRecord.members).joinedload(RecordMember.inspector)
                 .load_only(InspectorProfile.certificate_no, InspectorProfile.name),
                 # what a PUT reads of the plan (the wide rest would be decoded for every member's row)
                 joinedload(InspectionRecord.plan).load_only(Plan.status, Plan.created_at, Plan.window_start,
                                                             Plan.entry_days, Plan.doc_number, Plan.jurisdiction_id),
                 defer(InspectionRecord.findings), defer(FieldSubmission.body))  # large, and not needed here
    ).unique().first()
    if row is None:
        return None, previous_submission(client_uuid), None
    return row[0], row[1], row[2]


def previous_submission(client_uuid: str) -> FieldSubmission | None:
    return db.session.scalar(select(FieldSubmission).where(FieldSubmission.client_uuid == client_uuid))


# --- the working-day calendar, read again only when the office has changed it -------------------------------------
def _calendar_key():
    """The override table's whole content as one string (a few dozen rows): read with the record, it tells whether
    the calendar this process keeps is still the one in force, on any number of servers, at no extra statement."""
    entry = cast(CalendarOverride.day, String) + ":" + cast(CalendarOverride.is_workday, String)
    return select(func.coalesce(func.aggregate_strings(entry, ","), "")).scalar_subquery()


_kept = Kept()


def calendar(key: str | None) -> Calendar:
    """The calendar in force, given the key read with the record (`submission_record`); None: read it."""
    return _kept.get("calendar", key, current_calendar)


def plan_content(record) -> tuple[list[rules.Item], list[int]]:
    """The plan's check items and participating departments (every one inspects the enterprise: one joint record,
    一企一表). A plan past its draft is frozen (Plan.editable): kept by plan id and creation time (an id SQLite
    could give again after a deletion would be another plan's), no statement after the first."""
    plan = record.plan

    def read():
        items = db.session.execute(
            select(PlanItem.id, PlanItem.department_id, PlanItem.title, PlanItem.methods, PlanItem.check_points)
            .where(PlanItem.plan_id == plan.id).order_by(PlanItem.position, PlanItem.id)).all()
        departments = db.session.scalars(select(PlanDepartment.department_id).where(PlanDepartment.plan_id == plan.id)
                                         .order_by(PlanDepartment.position, PlanDepartment.id)).all()
        return (tuple(rules.Item(i, d, t, tuple(m or ()), tuple(c or ())) for i, d, t, m, c in items),
                tuple(departments))
    items, departments = _kept.get(("plan", plan.id), None if plan.editable else plan.created_at, read)
    return list(items), list(departments)


def team(record) -> dict[str, rules.Member]:
    return {
        m.inspector.certificate_no: rules.Member(m.inspector.certificate_no, m.inspector.name, m.kind)
        for m in record.members
    }


