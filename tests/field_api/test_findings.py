"""The pure rules of a submitted 一企一表: canonical hash, structure against the plan items, result rules,
signature or refusal, and the sync deadline text."""
from datetime import date

import pytest

from webapp.domain import findings as rules
from webapp.domain.workdays import Calendar

A, B = "a" * 64, "b" * 64
ITEMS = [
    rules.Item(7, 1, "学校安全工作检查", ("document", "onsite"), ("消防设施齐全", "制度健全")),
    rules.Item(8, 2, "对民办学校的监督检查", ("document",), ("办学许可证有效",)),
]
TEAM = {
    "C1": rules.Member("C1", "张伟", "drawn"),
    "C2": rules.Member("C2", "李娜", "drawn"),
    "E1": rules.Member("E1", "王芳", "expert"),
}


def findings(result="pass", note="", method="onsite", present=("C1", "C2"), photos=()):
    return {
        "departments": [
            {"department_id": 1, "items": [{"plan_item_id": 7, "method": method, "points": [
                {"text": "消防设施齐全", "result": result, "note": note, "photos": list(photos)},
                {"text": "制度健全", "result": "pass", "note": "", "photos": []},
            ]}]},
            {"department_id": 2, "items": [{"plan_item_id": 8, "method": "document", "points": [
                {"text": "办学许可证有效", "result": "na", "note": "", "photos": []},
            ]}]},
        ],
        "team": {"present": list(present), "uniform": True, "credentials_shown": True},
        "result_codes": ["no_problem"],
    }


def check(f, codes=("no_problem",)):
    return rules.check_findings({**f, "result_codes": sorted(codes)}, list(codes), ITEMS, [1, 2], TEAM)


def test_result_codes_inside_and_outside_the_findings_must_agree():
    out = rules.check_findings(findings(), ["not_disclosed", "corrected"], ITEMS, [1, 2], TEAM)
    assert "检查结果内外的结果类别不一致。" in out.errors


def test_canonical_json_sorts_keys_without_spaces_or_ascii_escapes():
    assert rules.canonical_json({"b": [1, {"d": "检查", "c": True}], "a": None}) == \
        '{"a":null,"b":[1,{"c":true,"d":"检查"}]}'


def test_findings_hash_covers_findings_and_sorted_codes():
    # The vector in docs/field-api.md §Findings hash, for the phone's JavaScript to check itself against.
    f = {"remarks": "良好", "departments": []}
    text = '{"findings":{"departments":[],"remarks":"良好"},"result_codes":["corrected","not_disclosed"]}'
    import hashlib

    assert rules.findings_hash(f, ["not_disclosed", "corrected"]) == hashlib.sha256(text.encode()).hexdigest()
    assert rules.findings_hash(f, ["not_disclosed", "corrected"]) == \
        "05af16d2347d1b3bf6d72f6491bf11af386a579ae65943bd649568b8c236fb16"
    assert rules.findings_hash(f, ["corrected"]) != rules.findings_hash(f, ["not_disclosed", "corrected"])


def test_complete_findings_pass():
    out = check(findings(photos=[A]))
    assert out.ok, out.errors
    assert out.media == {A}
    assert out.onsite


def test_a_failed_point_needs_a_note_and_excludes_no_problem():
    out = check(findings(result="fail"))
    assert "“学校安全工作检查”的检查要点“消防设施齐全”为不符合，须填写说明。" in out.errors
    assert "有检查项为“不符合”，不能选择“未发现问题”。" in out.errors
    out = check(findings(result="fail", note="灭火器过期"), codes=("corrected",))
    assert out.ok, out.errors


def test_every_problem_needs_a_disposition():
    out = check(findings(), codes=("not_disclosed",))
    assert any("须选择处置方式" in e for e in out.errors)


def test_missing_and_foreign_items_are_named():
    f = findings()
    f["departments"][1]["items"] = [{"plan_item_id": 7, "method": "document", "points": []}]
    out = check(f)
    assert "检查结果中有不属于该部门的检查事项（7）。" in out.errors
    assert "“对民办学校的监督检查”未填写。" in out.errors


def test_unanswered_and_unknown_check_points():
    f = findings()
    f["departments"][0]["items"][0]["points"] = [{"text": "不存在的要点", "result": "pass"}]
    out = check(f)
    assert "“学校安全工作检查”没有检查要点“不存在的要点”。" in out.errors
    assert "“学校安全工作检查”的检查要点“制度健全”未填写。" in out.errors


def test_a_method_outside_the_item_is_refused_but_adopting_a_conclusion_is_open():
    assert "“学校安全工作检查”的检查方式不在本事项允许的范围内。" in check(findings(method="online")).errors
    assert check(findings(method="adopt")).ok


def test_a_site_check_needs_two_officers_an_expert_does_not_count():
    out = check(findings(present=("C1", "E1")))
    assert "实地核查须至少两名执法人员到场。" in out.errors
    assert check(findings(method="document", present=("C1",))).ok
    out = check(findings(present=("C1", "X9")))
    assert "到场人员不属于本检查组：X9" in out.errors


def test_floats_are_refused_because_javascript_prints_them_differently():
    f = findings()
    f["score"] = 1.5
    assert "检查结果中不能含有小数。" in check(f).errors


@pytest.mark.parametrize("signature, refusal, message", [
    (A, {"note": "拒绝", "confirmed_by": ["C1", "C2"]}, "签字与拒绝签字只能二选一。"),
    (None, None, "须由法定代表人（负责人）签字，或如实记录拒绝签字的情况。"),
    (None, {"note": "  ", "confirmed_by": ["C1", "C2"]}, "拒绝签字须填写情况说明。"),
    (None, {"note": "拒绝", "confirmed_by": ["C1", "C1"]}, "拒绝签字须由两名本组执法人员确认。"),
    (None, {"note": "拒绝", "confirmed_by": ["C1", "E1"]}, "拒绝签字须由两名本组执法人员确认。"),
])
def test_signature_xor_a_confirmed_refusal(signature, refusal, message):
    assert message in rules.check_signature(signature, None, refusal, TEAM).errors


def test_a_refusal_keeps_its_evidence_and_a_seal_needs_a_signature():
    out = rules.check_signature(None, None, {"note": "负责人拒绝签字", "confirmed_by": ["C1", "C2"], "evidence": [B]},
                                TEAM, {"C1", "C2"})
    assert out.ok and out.media == {B}
    assert "未签字的记录不能附企业印章。" in rules.check_signature(None, A, {"note": "拒绝", "confirmed_by": ["C1", "C2"]},
                                                              TEAM).errors
    assert rules.check_signature(A, B, None, TEAM).media == {A, B}


def test_the_hash_must_match_the_content():
    f = findings()
    good = rules.findings_hash(f, ["no_problem"])
    assert rules.check_submission(f, ["no_problem"], A, None, None, good, ITEMS, [1, 2], TEAM).ok
    f["remarks"] = "签字后改动"
    out = rules.check_submission(f, ["no_problem"], A, None, None, good, ITEMS, [1, 2], TEAM)
    assert any("校验值与内容不一致" in e for e in out.errors)


def test_sync_deadline_text_counts_working_days_left():
    cal = Calendar()
    due = cal.add_workdays(date(2026, 6, 1), 5).due
    assert due == date(2026, 6, 8)
    assert rules.sync_deadline_text(cal, date(2026, 6, 5), due) == "须于 2026-06-08 前同步（剩余 2 个工作日）"
    assert rules.sync_deadline_text(cal, date(2026, 6, 8), due) == "须于 2026-06-08 前同步（剩余 1 个工作日）"
    assert rules.sync_deadline_text(cal, date(2026, 6, 9), due) == "须于 2026-06-08 前同步（已逾期）"
