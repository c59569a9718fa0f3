"""What the dashboard counts: records through the stages, result categories by risk level, records at risk of
missing a deadline, understaffed teams. Works on plain facts, no Flask, no database."""
from dataclasses import dataclass, field
from datetime import date

from webapp.domain import results, risk
from webapp.domain.status import RecordStatus
from webapp.domain.workdays import Calendar, Deadline

# At least two inspectors on site (行政处罚法 Art. 42).
MIN_TEAM = 2

STAGES = (
    ("drawn", "已抽取"),
    ("confirmed", "已确认"),
    ("dispatched", "已派发"),
    ("inspected", "已检查"),
    ("on_time", "按时同步"),
    ("late", "逾期同步"),
    ("returned", "已退回"),
    ("approved", "已通过"),
    ("published", "已公示"),
)


@dataclass(frozen=True)
class RecordFacts:
    id: int
    entity: str
    status: str
    risk_level: str
    departments: frozenset = field(default_factory=frozenset)
    submitted: bool = False
    late: bool = False
    sync_due: date | None = None
    result_codes: tuple = ()
    understaffed: bool = False
    team_size: int = 0
    count: int = 1  # how many records share these facts (the dashboard counts groups of records, not each one)


def stage_counts(facts, drawn: int = 0, confirmed: int = 0) -> dict[str, int]:
    """Drawn and confirmed come from the draw (objects on the list); the rest from the records."""
    counts = dict.fromkeys((code for code, _ in STAGES), 0)
    counts["drawn"], counts["confirmed"] = drawn, confirmed
    for f in facts:
        counts["dispatched"] += f.count
        if f.submitted:
            counts["inspected"] += f.count
            counts["late" if f.late else "on_time"] += f.count
        if f.status == RecordStatus.RETURNED:
            counts["returned"] += f.count
        if f.status in (RecordStatus.APPROVED, RecordStatus.PUBLISHED):
            counts["approved"] += f.count
        if f.status == RecordStatus.PUBLISHED:
            counts["published"] += f.count
    return counts


def categories_by_risk(facts) -> dict[str, dict[str, int]]:
    """Result category -> risk level -> number of submitted records carrying it (a record may carry several)."""
    table = {code: dict.fromkeys(risk.LEVELS, 0) for code in results.CATEGORIES}
    for f in facts:
        if not f.submitted:
            continue
        for code in f.result_codes:
            if code in table and f.risk_level in table[code]:
                table[code][f.risk_level] += f.count
    return table


def publication_deadline(calendar: Calendar, window_end: date, publish_days: int) -> Deadline:
    """Hebei rule: entered, reviewed and published within `publish_days` working days of the end of the check."""
    return calendar.add_workdays(window_end, publish_days)


@dataclass(frozen=True)
class AtRisk:
    record: RecordFacts
    kind: str  # entry | publication
    label: str
    due: date
    provisional: bool
    workdays_left: int  # negative: overdue by that many calendar-free working days (0 = due today)


def deadline_risks(facts, today: date, calendar: Calendar, window_end: date, publication: Deadline,
                   warn_workdays: int = 5) -> list[AtRisk]:
    """Records whose next deadline is at most `warn_workdays` working days away, or already passed.

    Not yet synced: due by the sync deadline when the phone reported one, else by the end of the window.
    Synced but not published: due by the plan's publication deadline."""
    out, left_by_due = [], {}
    for f in facts:
        if f.status == RecordStatus.PUBLISHED:
            continue
        if not f.submitted:
            due, provisional = (f.sync_due, False) if f.sync_due else (window_end, False)
            kind, label = "entry", ("录入期限" if f.sync_due else "检查期结束")
        else:
            due, provisional, kind, label = publication.due, publication.provisional, "publication", "公示期限"
        if due not in left_by_due:  # many records share a deadline; counting days is the slow part
            left_by_due[due] = workdays_left(calendar, today, due)
        left = left_by_due[due]
        if left <= warn_workdays:
            out.append(AtRisk(f, kind, label, due, provisional, left))
    out.sort(key=lambda a: (a.due, a.record.id))
    return out


def workdays_left(calendar: Calendar, today: date, due: date) -> int:
    if due >= today:
        return calendar.workdays_between(today, due)
    return -max(1, calendar.workdays_between(due, today))


def understaffed(facts) -> list[RecordFacts]:
    return [f for f in facts if f.understaffed or f.team_size < MIN_TEAM]
