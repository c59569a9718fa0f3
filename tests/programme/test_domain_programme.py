"""The annual programme's pure rules: rates, countdowns, limits, the visit cap's reason."""
from datetime import date

import pytest

from webapp.domain import eligibility, programme
from webapp.domain.workdays import Calendar


def test_rates_divide_by_what_was_inspected_and_say_nothing_without_it():
    r = programme.rates({"dispatched": 4, "inspected": 2, "on_time": 1, "published": 1})
    assert r == {"completion": 0.5, "on_time_rate": 0.5, "publication_rate": 0.5}
    assert programme.rates({}) == {"completion": None, "on_time_rate": None, "publication_rate": None}
    assert programme.percent(None) == "—" and programme.percent(2 / 3) == "66.7%"


def test_publication_countdown_counts_working_days_and_flags_a_missed_limit():
    cal = Calendar()
    # 2023-08-31 (Thu) + 20 working days: September has no holiday before 29 Sept (中秋/国庆 2023)
    c = programme.countdown(cal, date(2023, 8, 31), 20, date(2023, 9, 1))
    assert c.due == date(2023, 9, 28) and c.left == 19 and not c.missed
    assert "剩 19 个工作日" in c.text
    late = programme.countdown(cal, date(2023, 8, 31), 20, date(2023, 10, 9))
    assert late.missed and "已超期" in late.text
    finished = programme.countdown(cal, date(2023, 8, 31), 20, date(2023, 10, 9), done=True)
    assert not finished.missed and "已按时完成" in finished.text
    assert programme.countdown(cal, date(2023, 8, 31), 20, date(2023, 9, 28)).text.startswith("今天截止")


def test_limits_are_parsed_with_chinese_messages():
    assert programme.parse_limits({"entry_days": "5", "publish_days": "20", "visit_cap": ""}) == programme.Limits()
    assert programme.parse_limits({"entry_days": "3", "publish_days": "15", "visit_cap": "2"}).visit_cap == 2
    with pytest.raises(programme.LimitsRefused, match="录入时限"):
        programme.parse_limits({"entry_days": "0", "publish_days": "20"})
    with pytest.raises(programme.LimitsRefused, match="每年抽查次数上限"):
        programme.parse_limits({"entry_days": "5", "publish_days": "20", "visit_cap": "两次"})


def test_the_visit_cap_is_the_last_rule_with_its_own_reason():
    rules = eligibility.Rules(statuses=("合格",), visit_cap=2)
    facts = eligibility.EntityFacts("91130606MA0000000X", None, frozenset(), "合格", "", "low", visits=2)
    assert eligibility.exclusion_reason(rules, facts) == "本年度已被抽查 2 次（每年至多 2 次）"
    assert eligibility.exclusion_reason(rules, eligibility.EntityFacts(
        "91130606MA0000000X", None, frozenset(), "合格", "", "low", visits=1)) is None
    # an earlier rule keeps its reason
    assert "不属于" in eligibility.exclusion_reason(rules, eligibility.EntityFacts(
        "91130606MA0000000X", None, frozenset(), "注销", "", "low", visits=5))
    assert programme.capped({"A": 1, "B": 2, "C": 3}, 2) == {"B": 2, "C": 3}
    assert programme.capped({"A": 5}, None) == {}
