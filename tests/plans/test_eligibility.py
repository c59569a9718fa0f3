"""The eligibility preview: figures for the 2023 plan computed independently from the directory data the world
was made of, and the SQL CASE agreeing with domain.eligibility.exclusion_reason entity by entity."""
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
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
    pages = -(-total // 50)
    assert pages >= 2
    seen = []
    for page in range(1, pages + 1):
        rows = eligibility.excluded_page(plan, page)
        seen += [e.id for e, _ in rows]
        html = client.get(f"/plans/{plan.id}/eligibility?page={page}").get_data(as_text=True)
        e, reason = rows[0]
        assert e.name in html and reason in html
    assert len(seen) == len(set(seen)) == total
    assert client.get(f"/plans/{plan.id}/eligibility?page={pages + 1}").status_code == 404


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


@pytest.mark.parametrize("rules", [
    ref.Rules(date(2023, 6, 1), 2022, ("合格",), "校外培训机构"),
    ref.Rules(date(2023, 6, 1), None, (), None),
    ref.Rules(None, 2022, ("合格", "存续"), None),
    ref.Rules(None, None, (), "幼儿园"),
    ref.Rules(),
])
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
