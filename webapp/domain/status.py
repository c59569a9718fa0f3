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


class PartStatus(StrEnum):
    """The status of one department's part of a joint record (谁抽查、谁录入、谁公示): each department reviews and
    publishes its own items and result under its own name (检查实施机关)."""

    SUBMITTED = "submitted"    # 待本部门审核
    RETURNED = "returned"      # 本部门退回，待补充说明
    APPROVED = "approved"      # 本部门审核通过，待公示
    PUBLISHED = "published"    # 已由本部门公示
    WITHDRAWN = "withdrawn"    # 公示已撤回，待本部门重新审核

    @property
    def label(self) -> str:
        return PART_LABELS[self]


PART_LABELS = {
    PartStatus.SUBMITTED: "待审核",
    PartStatus.RETURNED: "已退回",
    PartStatus.APPROVED: "已通过，待公示",
    PartStatus.PUBLISHED: "已公示",
    PartStatus.WITHDRAWN: "已撤回公示",
}

# A record is complete when every part is published or withdrawn (nothing left for the office to publish).
PART_DONE = frozenset({PartStatus.PUBLISHED, PartStatus.WITHDRAWN})


def part_label(status: str | None) -> str:
    try:
        return PartStatus(status).label
    except ValueError:
        return status or "—"


def overall(part_statuses) -> RecordStatus:
    """The record's status from its parts', so that the phone and the pages that read one status keep working:
    returned when any part is returned (the team has something to answer), submitted while any part waits for
    its review (a withdrawn part waits to be reviewed again), approved while any approved part waits for
    publication, published when every part is published or withdrawn and at least one is public; a record
    whose every publication was withdrawn is back in review (submitted)."""
    statuses = set(part_statuses)
    if PartStatus.RETURNED in statuses:
        return RecordStatus.RETURNED
    if PartStatus.SUBMITTED in statuses:
        return RecordStatus.SUBMITTED
    if PartStatus.APPROVED in statuses:
        return RecordStatus.APPROVED
    if PartStatus.PUBLISHED in statuses:
        return RecordStatus.PUBLISHED
    return RecordStatus.SUBMITTED
