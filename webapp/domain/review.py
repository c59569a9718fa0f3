"""Review of a submitted 一企一表, part by part: which decisions a part's status allows, what an amendment does,
how to recheck the signed findings, and the queue filters. No Flask here."""
import hashlib
import json

from webapp.domain import results
from webapp.domain.refusal import Refused
from webapp.domain.status import PartStatus, RecordStatus

APPROVE, RETURN = "approve", "return"

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


def findings_digest(findings, result_codes) -> str:
    """SHA-256 of the canonical JSON the phone signs (docs/field-api.md §Findings hash): sorted keys, compact, no ASCII escaping."""
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


# --- per department (谁抽查、谁录入、谁公示) ------------------------------------------------------------------
# A joint record has one part per participating department. Each department's reviewer decides its own part:
# a part waiting for review (submitted, or withdrawn from publication) is approved or returned.
PART_TRANSITIONS = {
    PartStatus.SUBMITTED: {APPROVE: PartStatus.APPROVED, RETURN: PartStatus.RETURNED},
    PartStatus.WITHDRAWN: {APPROVE: PartStatus.APPROVED, RETURN: PartStatus.RETURNED},
}
PART_WAITING = frozenset(PART_TRANSITIONS)
# What a record's state means for the parts it gets when they are first made (0013, and records built before
# their parts): each part takes the record's state.
PART_OF_RECORD = {
    RecordStatus.SUBMITTED: PartStatus.SUBMITTED, RecordStatus.RETURNED: PartStatus.RETURNED,
    RecordStatus.APPROVED: PartStatus.APPROVED, RecordStatus.PUBLISHED: PartStatus.PUBLISHED,
}


def decide_part(status: str, action: str, comment: str = "", codes=None, any_item_failed: bool = False) -> str:
    """A part's new status after its department's decision, or ReviewError. `codes`, when given, are the
    result categories the department gives its part (checked against its own items)."""
    if action not in (APPROVE, RETURN):
        raise ReviewError("未知的审核操作。")
    if status not in PART_TRANSITIONS:
        raise ReviewError("本部门的部分当前状态不能审核（只有待审核的部分可以审核）。")
    comment = (comment or "").strip()
    if action == RETURN and not comment:
        raise ReviewError("退回时必须填写退回意见，说明需要补充或更正的内容。")
    if len(comment) > COMMENT_MAX:
        raise ReviewError(f"意见不能超过 {COMMENT_MAX} 字。")
    if action == APPROVE and codes is not None:
        errors = results.validate(codes, any_item_failed)
        if errors:
            raise ReviewError(errors[0], 422)
    return PART_TRANSITIONS[status][action]


def amend_parts(statuses: dict[int, str], text: str, named=None) -> list[int]:
    """Which parts a 补充说明 re-opens for review (department ids, in the record's order), or ReviewError.

    The rule: the amendment names the departments it answers; unnamed, it answers every returned part. A named
    part re-opens when returned or approved (its approval is set aside: the department reviews again); a
    published part must first be withdrawn. The parts not named keep their state and their approvals."""
    text = (text or "").strip()
    if not text:
        raise ReviewError("补充说明不能为空。")
    if len(text) > AMENDMENT_MAX:
        raise ReviewError(f"补充说明不能超过 {AMENDMENT_MAX} 字。")
    if PartStatus.RETURNED not in statuses.values():
        raise ReviewError("该检查表未被退回，不需要补充说明。")
    if not named:
        return [d for d, s in statuses.items() if s == PartStatus.RETURNED]
    named = list(dict.fromkeys(named))
    unknown = [d for d in named if d not in statuses]
    if unknown:
        raise ReviewError("补充说明所指的部门不是该检查表的检查部门。", 422)
    if any(statuses[d] == PartStatus.PUBLISHED for d in named):
        raise ReviewError("已公示的部门结果须先撤回公示，才能补充说明。")
    return [d for d in statuses if d in named]


def department_failed(findings, department_id) -> bool:
    """Whether a check point of this department's own items was found 不符合."""
    return any(
        point.get("result") == "fail"
        for dept in (findings or {}).get("departments", []) or [] if dept.get("department_id") == department_id
        for item in dept.get("items", []) or []
        for point in item.get("points", []) or []
    )


def part_codes(findings, result_codes, department_id) -> list[str]:
    """The result categories a department's part starts with (its reviewer may set them on approval).

    The department's own block of the findings may carry them (`departments[].result_codes`, signed with the
    rest). Otherwise the record's: except that a department none of whose points failed, on a record whose only
    problems are failed points (no record-level problem such as 未按规定公示), found nothing, 未发现问题."""
    for dept in (findings or {}).get("departments", []) or []:
        if dept.get("department_id") == department_id and dept.get("result_codes"):
            return sorted(dept["result_codes"])
    codes = sorted(result_codes or [])
    if (codes and not set(codes) & results.PROBLEMS and set(codes) <= results.DISPOSITIONS
            and not department_failed(findings, department_id)):
        return [results.NO_PROBLEM]
    return codes


def part_departments(findings, member_departments) -> list[int]:
    """The departments of a record's parts: those whose items the findings hold, in their order; a record
    without findings, its team's departments."""
    out = []
    for dept in (findings or {}).get("departments", []) or []:
        d = dept.get("department_id")
        if d is not None and d not in out:
            out.append(d)
    if not out:
        for d in member_departments:
            if d is not None and d not in out:
                out.append(d)
    return out
