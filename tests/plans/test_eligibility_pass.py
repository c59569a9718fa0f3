"""The preview's pass over the directory: on PostgreSQL it reads ix_entities_eligibility alone (the planner, left to
itself, scans the whole table; benchmarks/eligibility_preview.py), and the preview follows every change of an
entity (nothing of it is kept between requests)."""
import pytest
from sqlalchemy import select, text

from tests.plans.test_eligibility import plan_2023
from webapp.core.extensions import db
from webapp.stages.directory.models import Entity
from webapp.stages.plans import eligibility


def _explained(statement) -> str:
    compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    return "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))


def test_the_pass_reads_the_eligibility_index_alone_and_puts_the_planner_back(app, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the planner's choice is PostgreSQL's (TEST_DATABASE_URL)")
    plan = plan_2023()
    db.session.execute(text(  # 20,000 entities of the 2023 plan's jurisdiction, vacuumed as autovacuum would
        "INSERT INTO entities (uscc, name, registered_on, annual_report_years, status, risk_level, category, "
        "checksum_override, checkin_token, updated_at, jurisdiction_id) SELECT '91130606' || lpad(i::text, 10, '0'), "
        "'第' || i || '号', DATE '2005-01-01' + i % 6000, '2021,2022', (ARRAY['合格', '注销'])[i % 2 + 1], "
        "(ARRAY['high', 'low'])[i % 2 + 1], (ARRAY['校外培训机构', '幼儿园'])[i % 3 % 2 + 1], false, md5(i::text), "
        "now(), :place FROM generate_series(1, 20000) AS i"), {"place": plan.jurisdiction_id})
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE entities")
    statement = eligibility.grouped(plan, plan.rules)
    assert "Seq Scan on entities" in _explained(statement)  # what the planner does with a small table by itself
    with eligibility.index_alone():
        shown = _explained(statement)
    assert "Seq Scan" not in shown and "using ix_entities_eligibility on entities" in shown, shown
    assert db.session.scalar(text("SHOW enable_seqscan")) == "on"
    assert "Seq Scan on entities" in _explained(statement)


def test_a_change_to_an_entity_changes_the_preview_at_once(app, world, client, auth):
    plan = plan_2023()
    before = eligibility.summary(plan)
    eligible = db.session.scalars(select(Entity).where(eligibility.in_area(plan),
                                                       eligibility.reason_code(plan.rules).is_(None))).first()
    level = eligible.risk_level
    eligible.status = "吊销"
    db.session.commit()
    after = eligibility.summary(plan)
    assert after["eligible"][level] == before["eligible"][level] - 1
    assert after["excluded_total"] == before["excluded_total"] + 1
    auth.login("office")
    html = client.get(f"/plans/{plan.id}/eligibility").get_data(as_text=True)
    assert f"不符合条件的对象：{after['excluded_total']} 个" in html
    assert f"符合条件的对象：{before['draw']['population'] - 1} 个" in html
