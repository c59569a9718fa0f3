"""The findings rules on what a phone (or anyone) may send: each department, plan item and check point once."""
from webapp.domain import findings as rules

ITEMS = [rules.Item(10, 1, "证照公示", ("document",), ("亮照经营", "信息公示")), rules.Item(20, 2, "消防", (), ("通道",))]


def errors(departments):
    return rules.check_findings({"departments": departments}, ["no_problem"], ITEMS, [1, 2], {}).errors


def test_unknown_repeated_and_missing_entries_are_each_named():
    got = errors([
        {"department_id": 1, "items": [
            {"plan_item_id": 10, "method": "document", "points": [
                {"text": "亮照经营", "result": "pass"}, {"text": "亮照经营", "result": "pass"}, {"text": "别的"}]},
            {"plan_item_id": 10, "method": "document", "points": []},
            {"plan_item_id": 99, "method": "document", "points": []},
        ]},
        {"department_id": 1, "items": []},
        {"department_id": 3, "items": []},
    ])
    assert got[:7] == [
        "“证照公示”的检查要点“亮照经营”重复填写。",
        "“证照公示”没有检查要点“别的”。",
        "“证照公示”的检查要点“信息公示”未填写。",
        "“证照公示”重复填写。",
        "检查结果中有不属于该部门的检查事项（99）。",
        "部门（1）的检查结果重复。",
        "检查结果中有不属于本次检查的部门（3）。",
    ]
    assert got[7] == "缺少部门（2）的检查结果。"


def test_an_id_or_text_that_is_not_a_name_is_an_error_not_a_crash():
    """JSON lists and booleans where an id or a check point's text belongs: refused with a message."""
    got = errors([{"department_id": [1], "items": []}, {"department_id": True, "items": []},
                  {"department_id": 2, "items": [{"plan_item_id": [20], "points": []},
                                                 {"plan_item_id": 20, "method": "onsite",
                                                  "points": [{"text": ["通道"], "result": "pass"}]}]}])
    assert "检查结果中有不属于本次检查的部门（[1]）。" in got
    assert "检查结果中有不属于本次检查的部门（True）。" in got
    assert "检查结果中有不属于该部门的检查事项（[20]）。" in got
    assert "“消防”没有检查要点“['通道']”。" in got
    assert "缺少部门（1）的检查结果。" in got
