"""The working-day calendar in force: chinese-calendar plus the office's override table."""
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain.workdays import Calendar
from webapp.stages.plans.models import CalendarOverride


def current_calendar() -> Calendar:
    rows = db.session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
    return Calendar({day: works for day, works in rows})
