"""The inspector's tasks on the home page: status and the five-working-day sync deadline, as the phone says it."""
from datetime import date

from webapp.domain import findings as rules
from webapp.domain.status import RecordStatus
from webapp.stages.plans.calendar import current_calendar

STATUSES = (RecordStatus.DISPATCHED, RecordStatus.RETURNED, RecordStatus.SUBMITTED)


def deadline_lines(records, today: date) -> dict[int, dict]:
    """record id -> {"text", "late"}: the deadline counted from the inspection date with the working-day calendar."""
    calendar = None
    out = {}
    for r in records:
        if r.submitted_at is not None and r.sync_due is not None:
            text = f"已同步，检查日 {r.inspected_on.isoformat()}，同步期限 {r.sync_due.isoformat()}"
            text += "（逾期同步）" if r.late else "（按期）"
            out[r.id] = {"text": text, "late": r.late}
        elif r.inspected_on is not None:
            calendar = calendar or current_calendar()
            deadline = calendar.add_workdays(r.inspected_on, r.plan.entry_days)
            out[r.id] = {
                "text": rules.sync_deadline_text(calendar, today, deadline.due, deadline.provisional),
                "late": today > deadline.due,
            }
        else:
            out[r.id] = {"text": f"未检查 · 抽查期至 {r.plan.window_end.isoformat()}，检查后 "
                                 f"{r.plan.entry_days} 个工作日内同步", "late": False}
    return out
