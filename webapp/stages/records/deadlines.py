"""The working-day overrides (调休) and what they move: the deadlines of open records and open confirmations."""
from sqlalchemy import select

from webapp.core import audit
from webapp.core.extensions import db
from webapp.domain.status import OPEN
from webapp.stages.draw.ceremony import DrawRefused
from webapp.stages.draw.models import DrawConfirmation
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import CalendarOverride
from webapp.stages.records.models import InspectionRecord


def recompute_deadlines(user=None) -> dict:
    """After the override table changed: the deadlines of open records and of open confirmations."""
    calendar = current_calendar()
    records = db.session.scalars(select(InspectionRecord).where(
        InspectionRecord.inspected_on.is_not(None), InspectionRecord.status.in_(OPEN))).all()
    changed_records = 0
    for r in records:
        due = calendar.add_workdays(r.inspected_on, r.plan.entry_days)
        if (r.sync_due, r.due_provisional) != (due.due, due.provisional):
            r.sync_due, r.due_provisional = due.due, due.provisional
            changed_records += 1
    confs = db.session.scalars(select(DrawConfirmation).where(DrawConfirmation.confirmed_at.is_(None))).all()
    changed_confs = 0
    for c in confs:
        due = calendar.add_workdays(c.draw.executed_on, c.draw.plan.confirm_days)
        if (c.deadline, c.deadline_provisional) != (due.due, due.provisional):
            c.deadline, c.deadline_provisional = due.due, due.provisional
            changed_confs += 1
    out = {"records": changed_records, "confirmations": changed_confs}
    audit.record("calendar.recompute", None, user=user, **out)
    return out



def set_override(day, is_workday: bool, note: str, user=None) -> CalendarOverride:
    row = db.session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day)
        db.session.add(row)
    row.is_workday, row.note, row.updated_by_id = is_workday, (note or "").strip()[:100], getattr(user, "id", None)
    db.session.flush()
    audit.record("calendar.override", None, user=user, day=day.isoformat(), is_workday=is_workday, note=row.note)
    recompute_deadlines(user)
    return row



def delete_override(day, user=None):
    row = db.session.get(CalendarOverride, day)
    if row is None:
        raise DrawRefused("没有这一天的调整记录。")
    db.session.delete(row)
    db.session.flush()
    audit.record("calendar.override_delete", None, user=user, day=day.isoformat())
    recompute_deadlines(user)

