from webapp.domain import results


def test_no_problem_stands_alone():
    assert results.validate(["no_problem"]) == []
    assert results.validate(["no_problem", "corrected"])


def test_every_problem_needs_a_disposition():
    assert results.validate(["not_disclosed"])
    assert results.validate(["not_disclosed", "corrected"]) == []
    assert results.validate(["unreachable", "follow_up"]) == []


def test_a_failed_item_forbids_no_problem_and_needs_a_disposition():
    assert results.validate(["no_problem"], any_item_failed=True)
    assert results.validate(["corrected"], any_item_failed=True) == []


def test_disposition_without_a_problem_is_refused():
    assert results.validate(["corrected"])


def test_status_categories_stand_on_their_own():
    assert results.validate(["deregistered"]) == []


def test_empty_and_unknown_codes_are_refused_in_chinese():
    assert "请至少选择一项检查结果。" in results.validate([])
    assert any("未知" in m for m in results.validate(["made_up"]))


def test_follow_up_is_detected():
    assert results.needs_follow_up(["not_disclosed", "follow_up"])
    assert not results.needs_follow_up(["no_problem"])
