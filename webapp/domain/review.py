"""Review of a submitted 一企一表: which decisions a status allows, what an amendment does, how to recheck the
signed findings, and the queue filters. No Flask here."""
import hashlib
import json

from webapp.domain import results
from webapp.domain.refusal import Refused
from webapp.domain.status import RecordStatus

APPROVE, RETURN = "approve", "return"

# status -> {action: new status}. Only a submitted record is decided; a returned one waits for the team's
# amendment (补充说明), which puts it back in the queue.
TRANSITIONS = {RecordStatus.SUBMITTED: {APPROVE: RecordStatus.APPROVED, RETURN: RecordStatus.RETURNED}}
# What the review pages list: every record the team has submitted, whatever became of it since.
REVIEWED = (RecordStatus.SUBMITTED, RecordStatus.RETURNED, RecordStatus.APPROVED, RecordStatus.PUBLISHED)

COMMENT_MAX = 2000
AMENDMENT_MAX = 4000

FILTERS = {
    "waiting": "待审核",
    "late": "逾期同步",
    "refused": "拒绝签字",
    "problems": "发现问题",
    "returned": "已退回",
    "all": "全部",
}


class ReviewError(Refused):
    """A decision or amendment the record's state does not allow; the message is for the user (中文)."""

    status = 409


def decide(status: str, action: str, comment: str = "") -> str:
    """The record's new status after a reviewer's decision, or ReviewError."""
    if action not in (APPROVE, RETURN):
        raise ReviewError("未知的审核操作。")
    if status not in TRANSITIONS:
        raise ReviewError("该检查表当前状态不能审核（只有“已提交”的检查表可以审核）。")
    comment = (comment or "").strip()
    if action == RETURN and not comment:
        raise ReviewError("退回时必须填写退回意见，说明需要补充或更正的内容。")
    if len(comment) > COMMENT_MAX:
        raise ReviewError(f"意见不能超过 {COMMENT_MAX} 字。")
    return TRANSITIONS[status][action]


def amend(status: str, text: str) -> str:
    """The record's new status after the team's 补充说明, or ReviewError."""
    text = (text or "").strip()
    if not text:
        raise ReviewError("补充说明不能为空。")
    if len(text) > AMENDMENT_MAX:
        raise ReviewError(f"补充说明不能超过 {AMENDMENT_MAX} 字。")
    if status != RecordStatus.RETURNED:
        raise ReviewError("该检查表未被退回，不需要补充说明。")
    return RecordStatus.SUBMITTED


def findings_digest(findings, result_codes) -> str:
    """SHA-256 of the canonical JSON the phone signs (FIELD_API.md): sorted keys, compact, no ASCII escaping."""
    payload = {"findings": findings, "result_codes": sorted(result_codes or [])}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def failed_points(findings) -> int:
    return sum(
        1
        for dept in (findings or {}).get("departments", [])
        for item in dept.get("items", [])
        for point in item.get("points", [])
        if point.get("result") == "fail"
    )


def has_problems(result_codes, findings) -> bool:
    codes = set(result_codes or [])
    return bool(codes & (results.PROBLEMS | results.DISPOSITIONS)) or failed_points(findings) > 0


def matches(flt: str, status: str, late: bool, refused: bool, problems: bool) -> bool:
    """Whether a record with these facts belongs in the queue filter `flt`."""
    if flt == "waiting":
        return status == RecordStatus.SUBMITTED
    if flt == "late":
        return late
    if flt == "refused":
        return refused
    if flt == "problems":
        return problems
    if flt == "returned":
        return status == RecordStatus.RETURNED
    return status in REVIEWED


def category_labels(codes) -> list[str]:
    """The labels of a record's result codes in the national order of the categories; unknown codes as they are."""
    codes = set(codes or ())
    return [label for code, label in results.CATEGORIES.items() if code in codes] + sorted(
        codes - results.CATEGORIES.keys())
