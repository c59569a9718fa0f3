"""Which entities of the directory a plan may draw, and why the others are excluded.

Rules are those of the 2023 plan generalised: registered before a date, the annual report of a given year
filed, status in a set, category. The first rule that fails is the reason an entity is excluded.
"""
from dataclasses import dataclass
from datetime import date

from webapp.domain.programme import visit_reason
from webapp.domain.risk import LEVELS


@dataclass(frozen=True)
class Rules:
    registered_before: date | None = None
    annual_report_year: int | None = None
    statuses: tuple[str, ...] = ()
    category: str | None = None
    visit_cap: int | None = None  # 无事不扰: random checks of one enterprise per year, across departments


@dataclass(frozen=True)
class EntityFacts:
    uscc: str
    registered_on: date | None
    annual_report_years: frozenset[int]
    status: str
    category: str
    risk: str
    visits: int = 0  # random checks of the enterprise this year already (other plans)


def exclusion_reason(rules: Rules, e: EntityFacts) -> str | None:
    """The reason (in Chinese) the entity is not eligible, or None when it is."""
    if rules.category and e.category != rules.category:
        return f"类别不是“{rules.category}”"
    if rules.registered_before:
        if e.registered_on is None:
            return "登记日期不详"
        if e.registered_on >= rules.registered_before:
            return f"{rules.registered_before:%Y年%-m月%-d日}前未登记设立"
    if rules.annual_report_year and rules.annual_report_year not in e.annual_report_years:
        return f"{rules.annual_report_year}年度未年报"
    if rules.statuses and e.status not in rules.statuses:
        return f"当前状态为“{e.status or '未知'}”，不属于{'、'.join(rules.statuses)}"
    if e.risk not in LEVELS:
        return "风险等级不详"
    if rules.visit_cap and e.visits >= rules.visit_cap:
        return visit_reason(e.visits, rules.visit_cap)
    return None


def draw_counts(counts: dict[str, int], ratios: dict[str, int], floor: int) -> dict:
    """How many each ratio draws (rounded up) and whether the overall floor is met before top-up."""
    by_level = {lvl: -(-counts.get(lvl, 0) * ratios.get(lvl, 0) // 100) for lvl in LEVELS}
    total = sum(counts.get(lvl, 0) for lvl in LEVELS)
    drawn = sum(by_level.values())
    minimum = -(-total * floor // 100)
    return {
        "by_level": by_level,
        "population": total,
        "drawn_by_ratio": drawn,
        "floor_minimum": minimum,
        "floor_met": drawn >= minimum,
        "total": max(drawn, minimum),
    }

