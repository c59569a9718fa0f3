"""The eligibility preview: figures for the 2023 plan computed independently from the directory data the world
was made of, and the SQL CASE agreeing with domain.eligibility.exclusion_reason entity by entity."""
from collections import Counter
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select

from tests import factories
from tests.perf.test_keyset_followup import walk
from webapp.core.extensions import db
from webapp.domain import eligibility as ref
from webapp.domain import risk, uscc
from webapp.faces.demo import directory as demo_directory
from webapp.faces.demo import seed2023
from webapp.stages.directory.models import Entity
from webapp.stages.plans import eligibility
from webapp.stages.plans.models import Plan

# What each SQL code means, as the reference words it.
WORDING = {
    "category": lambda text: text.startswith("类别不是"),
    "no_date": lambda text: text == "登记日期不详",
    "late": lambda text: text.endswith("前未登记设立"),
    "no_report": lambda text: text.endswith("年度未年报"),
    "status": lambda text: text.startswith("当前状态为"),
    "risk": lambda text: text == "风险等级不详",
}


def plan_2023() -> Plan:
    """The seed's 2023 plan (plan 1 on a fresh SQLite database; ids differ on PostgreSQL)."""
    return db.session.scalar(select(Plan).where(Plan.doc_number == seed2023.PLAN["doc_number"]))


def expected_for_plan_1(n: int):
    """From the demo directory's first n rows (the world's entities), not from the database."""
    rules = ref.Rules(registered_before=seed2023.PLAN["registered_before"],
                      annual_report_year=seed2023.PLAN["annual_report_year"],
                      statuses=tuple(seed2023.PLAN["statuses"]), category=seed2023.PLAN["category"])
    counts, reasons = Counter(), Counter()
    for row in demo_directory.entities(n):
        facts = ref.EntityFacts(
            uscc=row["uscc"], registered_on=row["registered_on"],
            annual_report_years=frozenset(int(y) for y in row["annual_report_years"].split(",") if y),
            status=row["status"], category=row["category"], risk=row["risk_level"])
        reason = ref.exclusion_reason(rules, facts)
        if reason is None:
            counts[facts.risk] += 1
        else:
            reasons[reason] += 1
    ratios = {"high": 100, "higher": 80, "general": 50, "low": 20}
    return {lvl: counts[lvl] for lvl in risk.LEVELS}, ref.draw_counts(counts, ratios, 5), reasons


def test_preview_figures_for_the_2023_plan(app, world, client, auth):
    counts, draw, reasons = expected_for_plan_1(len(world.entities))
    plan = plan_2023()
    figures = eligibility.summary(plan)
    assert figures["eligible"] == counts
    assert figures["draw"] == draw
    assert {g["text"]: g["count"] for g in figures["excluded"]} == dict(reasons)
    assert figures["excluded_total"] == sum(reasons.values()) == len(world.entities) - sum(counts.values())

    auth.login("office")
    html = client.get(f"/plans/{plan.id}/eligibility").get_data(as_text=True)
    assert f"符合条件的对象：{draw['population']} 个" in html
    for lvl in risk.LEVELS:
        assert f"<td>{risk.LABELS[lvl]}</td><td>{counts[lvl]}</td><td>" in html
        assert f"<strong>{draw['by_level'][lvl]}</strong>" in html
    assert "总体比例达标" in html
    assert f"不符合条件的对象：{sum(reasons.values())} 个" in html
    for text, n in reasons.items():
        assert f"<strong>{n}</strong> 个 · {text}" in html


def test_excluded_list_is_paginated_with_each_reason(app, world, client, auth):
    factories.entities(60, category="幼儿园")  # more excluded entities than one page holds
    db.session.commit()
    auth.login("jt_admin")
    plan = plan_2023()
    total = eligibility.summary(plan)["excluded_total"]
    assert total > 50  # more than one page
    by_page, after = [], None
    while True:
        found = eligibility.excluded_after(plan, after)
        by_page += [(e.id, e.name, reason) for e, reason in found.items]
        if found.next_after is None:
            break
        after = found.next_after
    assert len({i for i, _, _ in by_page}) == len(by_page) == total
    # The page pages by keyset: walking its 下一页 links lists every excluded entity once, with its reason.
    shown = walk(client, f"/plans/{plan.id}/eligibility", r'<div class="muted code">([^<]+)</div>', str)
    assert len(shown) == len(set(shown)) == total
    html = client.get(f"/plans/{plan.id}/eligibility").get_data(as_text=True)
    _, name, reason = by_page[0]
    assert name in html and reason in html
    assert client.get(f"/plans/{plan.id}/eligibility?after=x").status_code == 200  # a bad cursor: the first page


# Each rule alone and all together, as plans set them.
RULES = [
    ref.Rules(date(2023, 6, 1), 2022, ("合格",), "校外培训机构"),
    ref.Rules(date(2023, 6, 1), None, (), None),
    ref.Rules(None, 2022, ("合格", "存续"), None),
    ref.Rules(None, None, (), "幼儿园"),
    ref.Rules(),
]


def _odd_entities():
    """Edge cases the demo directory lacks: no date, odd year lists, empty status, unknown risk, the boundary date."""
    base = dict(name="边界机构", annual_report_years="2021,2022", status="合格", risk_level="low", category="校外培训机构")
    rows = [
        dict(base, registered_on=None),
        dict(base, registered_on=date(2023, 6, 1)),  # on the date: not "before"
        dict(base, registered_on=date(2023, 5, 31)),
        dict(base, registered_on=date(2020, 1, 1), annual_report_years="2021, 2022"),
        dict(base, registered_on=date(2020, 1, 1), annual_report_years="12022,2021"),
        dict(base, registered_on=date(2020, 1, 1), annual_report_years=""),
        dict(base, registered_on=date(2020, 1, 1), status=""),
        dict(base, registered_on=date(2020, 1, 1), risk_level="unknown"),
        dict(base, registered_on=date(2020, 1, 1), category=""),
    ]
    return [Entity(uscc=uscc.complete(f"9113060600EDGE{i:03d}"), **row) for i, row in enumerate(rows)]


@pytest.mark.parametrize("rules", RULES)
def test_sql_agrees_with_the_reference_entity_by_entity(app, world, rules):
    db.session.add_all(_odd_entities())
    db.session.commit()
    codes = eligibility.codes(rules)
    entities = db.session.scalars(select(Entity)).all()
    assert len(codes) == len(entities) == len(world.entities) + 9
    for e in entities:
        reason = ref.exclusion_reason(rules, e.facts())
        code = codes[e.id]
        assert (code is None) == (reason is None), (e.uscc, code, reason)
        if code:
            assert WORDING[code](reason), (e.uscc, code, reason)


@pytest.mark.parametrize("rules", RULES)
def test_summary_in_one_pass_agrees_with_the_reference(app, world, rules):
    """The summary decides on groups of entities, in one statement over the directory: its figures are the
    reference's applied to every entity of the plan's area, one by one."""
    db.session.add_all(_odd_entities())
    db.session.commit()
    plan = plan_2023()
    shaped = SimpleNamespace(rules=rules, ratios=plan.ratios, floor_percent=plan.floor_percent,
                             jurisdiction_id=plan.jurisdiction_id)
    counts, reasons = Counter({lvl: 0 for lvl in risk.LEVELS}), Counter()
    for e in db.session.scalars(select(Entity).where(eligibility.in_area(plan))):
        reason = ref.exclusion_reason(rules, e.facts())
        if reason is None:
            counts[e.risk_level] += 1
        else:
            reasons[reason] += 1
    assert sum(counts.values()) + sum(reasons.values()) == len(world.entities) + 9

    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        figures = eligibility.summary(shaped)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert figures["eligible"] == dict(counts)
    assert {g["text"]: g["count"] for g in figures["excluded"]} == dict(reasons)
    assert figures["excluded_total"] == sum(reasons.values())
    assert figures["draw"] == ref.draw_counts(counts, plan.ratios, plan.floor_percent)
    assert sum(" entities" in s for s in statements) == 1, statements
