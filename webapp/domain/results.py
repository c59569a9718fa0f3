"""Result categories of a record (docs/regime.md §Result categories) and the rules that bind them.

Labels are data (provinces rename them); the codes are stable. A record carries one or more codes:
未发现问题 stands alone; every problem needs a disposition (已责令改正 or 待后续处理).
"""

NO_PROBLEM = "no_problem"
ORDERED_CORRECTED = "corrected"
PENDING_FOLLOW_UP = "follow_up"

CATEGORIES = {
    NO_PROBLEM: "未发现问题",
    "not_disclosed": "未按规定公示应当公示的信息",
    "false_disclosure": "公示信息隐瞒真实情况、弄虚作假",
    "unreachable": "通过登记的住所（经营场所）无法联系",
    "obstructed": "不配合检查情节严重",
    "no_activity": "未发现开展本次抽查涉及的经营活动",
    ORDERED_CORRECTED: "发现问题已责令改正",
    PENDING_FOLLOW_UP: "发现问题待后续处理",
    "closed": "已关闭停业或正在组织清算",
    "deregistered": "已注销",
    "revoked_licence": "已吊销",
    "cancelled": "已撤销",
    "moved_out": "已迁出",
}

PROBLEMS = {"not_disclosed", "false_disclosure", "unreachable", "obstructed"}
DISPOSITIONS = {ORDERED_CORRECTED, PENDING_FOLLOW_UP}

# Per check point of a checklist item.
ITEM_RESULTS = {"pass": "符合", "fail": "不符合", "na": "不涉及"}


def validate(codes, any_item_failed: bool = False) -> list[str]:
    """Messages (in Chinese) for what is wrong with a set of result codes; empty when it is acceptable."""
    codes = set(codes)
    errors = []
    unknown = codes - CATEGORIES.keys()
    if unknown:
        errors.append("未知的结果类别：" + "、".join(sorted(unknown)))
    if not codes:
        errors.append("请至少选择一项检查结果。")
    if NO_PROBLEM in codes and len(codes) > 1:
        errors.append("“未发现问题”不能与其他结果同时选择。")
    if NO_PROBLEM in codes and any_item_failed:
        errors.append("有检查项为“不符合”，不能选择“未发现问题”。")
    has_problem = bool(codes & PROBLEMS) or any_item_failed
    if has_problem and not codes & DISPOSITIONS:
        errors.append("发现问题的，须选择处置方式：“发现问题已责令改正”或“发现问题待后续处理”。")
    if codes & DISPOSITIONS and not has_problem:
        errors.append("选择了处置方式，但没有记录发现的问题。")
    return errors


def needs_follow_up(codes) -> bool:
    return PENDING_FOLLOW_UP in set(codes)
