"""The statuses of a 一企一表 record, in the order of the regime, with their Chinese labels.

One definition for the models, the views, the templates and the task payload the phone reads (`status_label`).
A `StrEnum`, so a status compares equal to the string stored in the database and serialises as it."""
from enum import StrEnum


class RecordStatus(StrEnum):
    DISPATCHED = "dispatched"  # 派发到检查组的手机
    SUBMITTED = "submitted"    # 现场签名后同步，待审核
    RETURNED = "returned"      # 审核退回，待补充说明
    APPROVED = "approved"      # 审核通过，待公示
    PUBLISHED = "published"    # 已公示（一公开）

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    RecordStatus.DISPATCHED: "待检查",  # dispatched to the team's phones, not yet inspected
    RecordStatus.SUBMITTED: "已提交",
    RecordStatus.RETURNED: "已退回",
    RecordStatus.APPROVED: "已通过",
    RecordStatus.PUBLISHED: "已公示",
}

# Still in the team's hands: working-day deadlines run, experts can be appointed.
OPEN = frozenset({RecordStatus.DISPATCHED, RecordStatus.SUBMITTED})


def label(status: str | None) -> str:
    """The Chinese label of a stored status (unknown values shown as they are)."""
    try:
        return RecordStatus(status).label
    except ValueError:
        return status or "—"
