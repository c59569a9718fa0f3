"""The statuses of a 一企一表 record, in the order of the regime, with their Chinese labels.

One definition for the models, the views, the templates and the task payload the phone reads (`status_label`).
A `StrEnum`, so a status compares equal to the string stored in the database and serialises as it."""
from enum import StrEnum


class _Labelled(StrEnum):
    """A status that carries its Chinese label: `NAME = "stored value", "标签"`."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def label_of(cls, status: str | None) -> str:
        """The label of a stored status (an unknown value shown as it is)."""
        try:
            return cls(status).label
        except ValueError:
            return status or "—"


class RecordStatus(_Labelled):
    DISPATCHED = "dispatched", "待检查"  # 派发到检查组的手机，尚未检查
    SUBMITTED = "submitted", "已提交"    # 现场签名后同步，待审核
    RETURNED = "returned", "已退回"      # 审核退回，待补充说明
    APPROVED = "approved", "已通过"      # 审核通过，待公示
    PUBLISHED = "published", "已公示"    # 已公示（一公开）


LABELS = {s: s.label for s in RecordStatus}

# Still in the team's hands: working-day deadlines run, experts can be appointed.
OPEN = frozenset({RecordStatus.DISPATCHED, RecordStatus.SUBMITTED})
label = RecordStatus.label_of


class PartStatus(_Labelled):
    """The status of one department's part of a joint record (谁抽查、谁录入、谁公示): each department reviews and
    publishes its own items and result under its own name (检查实施机关)."""

    SUBMITTED = "submitted", "待审核"          # 待本部门审核
    RETURNED = "returned", "已退回"            # 本部门退回，待补充说明
    APPROVED = "approved", "已通过，待公示"    # 本部门审核通过，待公示
    PUBLISHED = "published", "已公示"          # 已由本部门公示
    WITHDRAWN = "withdrawn", "已撤回公示"      # 公示已撤回，待本部门重新审核


# A record is complete when every part is published or withdrawn (nothing left for the office to publish).
PART_DONE = frozenset({PartStatus.PUBLISHED, PartStatus.WITHDRAWN})
part_label = PartStatus.label_of


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
