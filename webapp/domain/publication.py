"""一公开 and 后续监管 rules, with no Flask: who follows a problem up, by when, and what the public may see.

Jurisdiction rule (谁管辖、谁负责): a record marked 发现问题待后续处理 opens one follow-up task per department
that has at least one check point found 不符合 in its own items of the findings. When no check point failed
(the problem is a record-level one, e.g. 未按规定公示应当公示的信息 or 不配合检查), the plan's lead department
takes it. Departments are returned in the order the findings list them.
"""
from dataclasses import dataclass
from datetime import date

from webapp.domain import results
from webapp.domain.status import RecordStatus
from webapp.domain.workdays import Calendar, Deadline

# Working days a department has to finish a follow-up; the office may change it (FOLLOW_UP_WORKDAYS).
FOLLOW_UP_WORKDAYS = 20

PUBLISHABLE = RecordStatus.APPROVED
PUBLISHED = RecordStatus.PUBLISHED
# Records that may hold a department's part waiting for publication, or published (per department, the record's
# own status is derived from its parts': webapp.domain.status.overall).
IN_REVIEW_OR_AFTER = (RecordStatus.SUBMITTED, RecordStatus.RETURNED, RecordStatus.APPROVED, RecordStatus.PUBLISHED)
# 撤回公示 sends a record back to review (submitted): the reviewer returns it to the team or approves it again.
WITHDRAWN_TO = RecordStatus.SUBMITTED
WITHDRAW_REASON_MIN, WITHDRAW_REASON_MAX = 4, 500


def withdrawal_errors(status: str, reason: str) -> list[str]:
    """Why a record cannot be withdrawn from publication now (Chinese); empty when it can."""
    errors = []
    if status != PUBLISHED:
        errors.append("只能撤回已公示的检查结果。")
    reason = (reason or "").strip()
    if len(reason) < WITHDRAW_REASON_MIN:
        errors.append(f"请写明撤回理由（至少 {WITHDRAW_REASON_MIN} 个字），理由将在该记录的核验页面公开。")
    elif len(reason) > WITHDRAW_REASON_MAX:
        errors.append(f"撤回理由不能超过 {WITHDRAW_REASON_MAX} 字。")
    return errors


@dataclass(frozen=True)
class Jurisdiction:
    department_id: int
    reason: str


def failed_departments(findings: dict | None) -> list[int]:
    """Departments with at least one check point found 不符合, in the order of the findings."""
    out = []
    for dept in (findings or {}).get("departments", []) or []:
        dept_id = dept.get("department_id")
        failed = any(
            point.get("result") == "fail"
            for item in dept.get("items", []) or []
            for point in item.get("points", []) or []
        )
        if failed and dept_id is not None and dept_id not in out:
            out.append(dept_id)
    return out


def follow_up_jurisdiction(result_codes, findings: dict | None, lead_department_id: int) -> list[Jurisdiction]:
    """Who must follow the record up; empty when the record needs no follow-up."""
    if not results.needs_follow_up(result_codes or []):
        return []
    failed = failed_departments(findings)
    if failed:
        return [Jurisdiction(d, "该部门检查事项中有“不符合”的检查要点") for d in failed]
    return [Jurisdiction(lead_department_id, "未有检查要点“不符合”，由计划牵头部门负责")]


def follow_up_deadline(calendar: Calendar, opened_on: date, workdays: int = FOLLOW_UP_WORKDAYS) -> Deadline:
    return calendar.add_workdays(opened_on, workdays)


def publication_deadline(calendar: Calendar, window_end: date, publish_days: int) -> Deadline:
    """Hebei rule: results are entered, reviewed and published within N working days of the end of the check."""
    return calendar.add_workdays(window_end, publish_days)


def result_labels(codes) -> list[str]:
    """Category labels in the national order, for the public page."""
    codes = set(codes or [])
    return [label for code, label in results.CATEGORIES.items() if code in codes]


def follow_up_state(statuses) -> str | None:
    """One public word for a record's follow-up tasks: None (none), "open", or "closed" (all closed)."""
    statuses = list(statuses)
    if not statuses:
        return None
    return "closed" if all(s == "closed" for s in statuses) else "open"
