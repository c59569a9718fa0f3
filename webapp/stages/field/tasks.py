"""The inspector's tasks as the phone downloads them: everything needed to work a record offline."""
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import defer, joinedload, selectinload

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import findings as rules
from webapp.domain.workdays import Calendar
from webapp.stages.field.models import FieldSubmission
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import CalendarOverride, Plan
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
        .options(joinedload(InspectionRecord.members).joinedload(RecordMember.inspector),
                 joinedload(InspectionRecord.plan),
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


_calendar: tuple[str, Calendar] | None = None


def calendar(key: str | None) -> Calendar:
    """The calendar in force, given the key read with the record (`submission_record`); None: read it."""
    global _calendar
    if key is not None and _calendar is not None and _calendar[0] == key:
        return _calendar[1]
    fresh = current_calendar()
    if key is not None:
        _calendar = (key, fresh)
    return fresh


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


