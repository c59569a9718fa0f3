from datetime import date

from webapp.domain.eligibility import EntityFacts, Rules, draw_counts, exclusion_reason

RULES = Rules(date(2023, 6, 1), 2022, ("合格",), "校外培训机构")


def facts(**kw):
    base = dict(uscc="X", registered_on=date(2020, 1, 1), annual_report_years=frozenset({2021, 2022}),
                status="合格", category="校外培训机构", risk="general")
    base.update(kw)
    return EntityFacts(**base)


def test_an_entity_meeting_every_rule_is_eligible():
    assert exclusion_reason(RULES, facts()) is None


def test_each_rule_gives_its_own_reason():
    assert "前未登记设立" in exclusion_reason(RULES, facts(registered_on=date(2023, 6, 1)))
    assert exclusion_reason(RULES, facts(annual_report_years=frozenset({2021}))) == "2022年度未年报"
    assert "注销" in exclusion_reason(RULES, facts(status="注销"))
    assert "类别" in exclusion_reason(RULES, facts(category="幼儿园"))
    assert exclusion_reason(RULES, facts(registered_on=None)) == "登记日期不详"


def test_draw_counts_round_up_per_level():
    counts = {"high": 3, "higher": 7, "general": 11, "low": 9}
    result = draw_counts(counts, {"high": 100, "higher": 80, "general": 50, "low": 20}, 5)
    assert result["by_level"] == {"high": 3, "higher": 6, "general": 6, "low": 2}
    assert result["drawn_by_ratio"] == 17 and result["floor_minimum"] == 2 and result["floor_met"]


def test_the_floor_tops_up_when_ratios_fall_short():
    result = draw_counts({"low": 100}, {"high": 0, "higher": 0, "general": 0, "low": 1}, 5)
    assert result["drawn_by_ratio"] == 1 and result["floor_minimum"] == 5
    assert not result["floor_met"] and result["total"] == 5
