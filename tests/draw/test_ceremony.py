"""The ceremonies against the database: population, reproducibility, one live draw, confirmation, dispatch."""
import random
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import confirm_all, entity_draw, get_user, inspector_draw
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain.eligibility import exclusion_reason
from webapp.stages.directory.models import Conflict, Entity, InspectorProfile
from webapp.stages.draw import ceremony as service
from webapp.stages.draw import confirmation, disclosure
from webapp.stages.draw.ceremony import DrawRefused
from webapp.stages.draw.models import Draw
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import PlanDepartment
from webapp.stages.records import deadlines, dispatch, teams
from webapp.stages.records.models import InspectionRecord, RecordMember


def actions():
    return [a for (a,) in db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id))]


@pytest.mark.parametrize("which", ["old", "current"])
def test_sql_population_agrees_with_the_eligibility_rules(world, which):
    p = getattr(world, which)
    everyone = db.session.scalars(select(Entity)).all()
    want = sorted((e.uscc, e.risk_level) for e in everyone if exclusion_reason(p.rules, e.facts()) is None)
    assert sorted(service.eligible_population(p)) == want
    assert 0 < len(want) < len(everyone)


def test_same_nonce_gives_same_result_whatever_the_row_order(world):
    rows = [{c.name: getattr(e, c.name) for c in Entity.__table__.columns if c.name != "id"}
            for e in db.session.scalars(select(Entity))]
    results = []
    for order in (1, 2):
        random.Random(order).shuffle(rows)
        db.session.execute(Entity.__table__.delete())
        db.session.execute(Entity.__table__.insert(), rows)
        d = service.prepare(world.current, algo.ENTITIES, get_user("office"))
        d.nonce = "ab" * 32
        d.commitment = algo.commitment(d.nonce)
        dispatch.execute(d, "同一个见证")
        results.append((d.population_digest, d.seed, d.result))
        db.session.rollback()
    assert results[0] == results[1]


def test_entity_draw_freezes_publishes_and_marks_the_plan_drawn(world):
    p = world.current
    d = service.prepare(p, algo.ENTITIES, get_user("office"), "10.0.0.1")
    db.session.commit()
    assert d.status == "prepared" and d.seed is None and d.result is None
    assert d.commitment == algo.commitment(d.nonce)
    assert d.population_digest == algo.population_digest(service.eligible_population(p))
    assert p.status == "draft"
    dispatch.execute(d, "07 19 23", get_user("office"), "10.0.0.1")
    db.session.commit()
    assert d.status == "executed" and d.executed_ip == "10.0.0.1" and d.witness == "07 19 23"
    assert p.status == "drawn" and not p.editable
    assert d.seed == algo.draw_seed(d.nonce, "07 19 23", d.population_digest)
    assert {c.department.code for c in d.confirmations} == {"jiaoti", "renshe", "weijian"}
    due = current_calendar().add_workdays(d.executed_on, p.confirm_days)
    assert all(c.deadline == due.due for c in d.confirmations)
    assert "draw.prepare" in actions() and "draw.execute" in actions()


def test_a_second_execution_is_refused_and_an_executed_draw_is_never_redone(world):
    d = entity_draw(world.current)
    with pytest.raises(DrawRefused, match="不能再次执行"):
        dispatch.execute(d, "again")
    with pytest.raises(DrawRefused, match="不能重抽"):
        service.prepare(world.current, algo.ENTITIES)
    with pytest.raises(DrawRefused, match="不能作废"):
        service.abandon(d, "想重新抽一次")


def test_another_draw_only_after_abandoning_with_a_reason(world):
    p = world.current
    first = service.prepare(p, algo.ENTITIES, get_user("office"))
    db.session.commit()
    with pytest.raises(DrawRefused, match="先将其作废"):
        service.prepare(p, algo.ENTITIES)
    with pytest.raises(DrawRefused, match="理由"):
        service.abandon(first, "  ")
    service.abandon(first, "见证人未到场，改期举行", get_user("office"))
    db.session.commit()
    second = service.prepare(p, algo.ENTITIES, get_user("office"))
    db.session.commit()
    assert (first.status, first.live, second.attempt) == ("abandoned", None, 2)
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 2
    with pytest.raises(DrawRefused, match="不能再次执行"):
        dispatch.execute(first, "")


def test_the_database_allows_one_live_draw_per_plan_and_kind(world):
    from sqlalchemy.exc import IntegrityError

    d = service.prepare(world.current, algo.ENTITIES)
    db.session.commit()
    twin = Draw(plan_id=d.plan_id, kind=d.kind, live=1, population="", population_size=0, population_digest="x",
                params={}, nonce="00", commitment="00")
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_inspector_draw_waits_for_every_department(world):
    p = world.current
    with pytest.raises(DrawRefused, match="尚未执行"):
        service.prepare(p, algo.INSPECTORS)
    d = entity_draw(p)
    confirmation.confirm(d.confirmations[0], get_user("jt_admin"))
    db.session.commit()
    with pytest.raises(DrawRefused, match="莲池区人社局、莲池区卫健局"):
        service.prepare(p, algo.INSPECTORS)


def test_exclusions_shape_the_confirmed_list(world):
    p = world.current
    d = entity_draw(p)
    confs = {c.department.code: c for c in d.confirmations}
    selected = [row[0] for row in d.result["selected"]]
    gone = db.session.scalar(select(Entity).where(Entity.uscc == selected[0]))
    not_ours = db.session.scalar(select(Entity).where(Entity.uscc == selected[1]))
    with pytest.raises(DrawRefused, match="其他"):
        confirmation.exclude(confs["jiaoti"], gone, "other", "", get_user("jt_admin"))
    confirmation.exclude(confs["jiaoti"], gone, "cancelled", "", get_user("jt_admin"))
    confirmation.exclude(confs["weijian"], not_ours, "not_ours", "无卫生监督事项", get_user("wj_admin"))
    with pytest.raises(DrawRefused, match="已被本部门排除"):
        confirmation.exclude(confs["jiaoti"], gone, "moved", "", get_user("jt_admin"))
    confirm_all(d)
    with pytest.raises(DrawRefused, match="已确认"):
        confirmation.exclude(confs["renshe"], not_ours, "duplicate", "", get_user("rs_admin"))
    keep, skip = service.confirmed_list(p)
    assert gone.uscc not in {u for u, _ in keep} and not_ours.uscc in {u for u, _ in keep}
    assert skip == [(not_ours.uscc, "weijian")]
    insp = inspector_draw(p)
    record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.entity_id == not_ours.id))
    assert {m.department.code for m in record.members} == {"jiaoti", "renshe"}
    assert db.session.scalar(select(InspectionRecord).where(InspectionRecord.entity_id == gone.id)) is None
    assert insp.population_size == len(selected) - 1
    assert {"draw.exclude", "draw.confirm"} <= set(actions())


def test_matching_dispatches_one_record_per_enterprise_with_teams(world):
    p = world.current
    d = entity_draw(p)
    confirm_all(d)
    insp = inspector_draw(p)
    records = db.session.scalars(select(InspectionRecord).where(InspectionRecord.plan_id == p.id)).all()
    assert len(records) == len(d.result["selected"]) == insp.population_size
    sizes = {pd.department_id: pd.team_size for pd in p.departments}
    for r in records:
        assert r.status == "dispatched"
        drawn = [m for m in r.members if m.kind == "drawn"]
        for dept_id, size in sizes.items():
            assert len([m for m in drawn if m.department_id == dept_id]) == size
        leaders = [m for m in r.members if m.is_leader]
        assert len(leaders) == 1 and leaders[0].department_id == p.lead_department_id
        assert not r.understaffed
        # Bulk-inserted (COPY on PostgreSQL): the column defaults are those the ORM would have given.
        assert len(r.token) == 24 and r.created_at is not None and r.result_codes == [] and r.refused is False
        assert all(m.created_at is not None and m.reason is None for m in r.members)
    assert len({r.token for r in records}) == len(records)
    # Every inspector account has tasks; nobody on leave, expired or an expert was drawn.
    for username in ("jt01", "jt02", "rs01", "wj01"):
        from webapp.faces.home.todo import my_records

        assert my_records(get_user(username))
    drawn_people = db.session.scalars(select(InspectorProfile).join(RecordMember)).all()
    assert all(x.status == "active" and not x.is_expert and x.valid_to >= p.window_end for x in drawn_people)
    # Balanced within each department.
    loads = dict(db.session.execute(
        select(RecordMember.inspector_id, func.count()).group_by(RecordMember.inspector_id)).all())
    for dept_id in sizes:
        eligible = [x.id for x in db.session.scalars(select(InspectorProfile).where(
            InspectorProfile.department_id == dept_id, InspectorProfile.is_expert.is_(False),
            InspectorProfile.status == "active", InspectorProfile.valid_to >= p.window_end))]
        values = [loads.get(i, 0) for i in eligible]
        assert max(values) - min(values) <= 1
    assert "draw.dispatch" in actions()


def test_conflicts_are_honoured_and_short_teams_flagged(world):
    p = world.current
    d = entity_draw(p)
    confirm_all(d)
    weijian = next(pd for pd in p.departments if pd.department.code == "weijian")
    first = db.session.scalar(select(Entity).where(Entity.uscc == d.result["selected"][0][0]))
    pool = db.session.scalars(select(InspectorProfile).where(
        InspectorProfile.department_id == weijian.department_id, InspectorProfile.is_expert.is_(False),
        InspectorProfile.status == "active", InspectorProfile.valid_to >= p.window_end)).all()
    weijian.team_size = len(pool)  # every eligible inspector of the department on each team: a conflict leaves one short
    db.session.add(Conflict(inspector_id=pool[0].id, entity_id=first.id, reason="近亲属任该机构负责人"))
    db.session.commit()
    insp = inspector_draw(p)
    assert insp.params["conflicts"] == [{"certificate": pool[0].certificate_no, "uscc": first.uscc}]
    record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.entity_id == first.id))
    assert pool[0].id not in {m.inspector_id for m in record.members}
    assert record.understaffed
    others = db.session.scalar(select(func.count()).select_from(InspectionRecord).where(
        InspectionRecord.understaffed.is_(False)))
    assert others == len(d.result["selected"]) - 1


def test_items_needing_a_missing_qualification_flag_the_record(world):
    p = world.current
    confirm_all(entity_draw(p))
    inspector_draw(p)
    flagged = db.session.scalars(select(InspectionRecord).where(InspectionRecord.needs_expert.is_(True))).all()
    assert flagged
    for r in flagged:
        assert teams.missing_qualifications(r)
    for r in db.session.scalars(select(InspectionRecord).where(InspectionRecord.needs_expert.is_(False))):
        assert not teams.missing_qualifications(r)


def test_manifest_of_a_real_draw_verifies(world):
    p = world.current
    d = entity_draw(p)
    assert all(ok for _, ok, _ in algo.verify(disclosure.manifest(d)))
    confirm_all(d)
    insp = inspector_draw(p, "見證 ✓")
    m = disclosure.manifest(insp)
    assert all(ok for _, ok, _ in algo.verify(m))
    assert {"entities", "roster", "conflicts", "team_sizes", "lead_department", "teams"} <= set(m)
    assert m["lead_department"] == "jiaoti" and m["team_sizes"] == {"jiaoti": 2, "renshe": 1, "weijian": 1}


def test_deadline_uses_the_working_day_calendar(world):
    d = entity_draw(world.current)
    d.executed_on = date(2026, 12, 28)
    deadlines.set_override(date(2026, 12, 30), False, "测试：临时休息")
    db.session.commit()
    conf = d.confirmations[0]
    # 29 (1), 30 off, 31 (2), 1 Jan holiday, 4 (3), 5 (4), 6 (5): 2027 is beyond chinese-calendar: provisional.
    assert (conf.deadline, conf.deadline_provisional) == (date(2027, 1, 6), True)


def test_understaffed_when_a_department_has_nobody(world):
    p = world.current
    d = entity_draw(p)
    confirm_all(d)
    for x in db.session.scalars(select(InspectorProfile).join(PlanDepartment, PlanDepartment.department_id
                                                              == InspectorProfile.department_id)):
        if x.department.code == "weijian":
            x.status = "on_leave"
    db.session.commit()
    inspector_draw(p)
    assert db.session.scalar(select(func.count()).select_from(InspectionRecord).where(
        InspectionRecord.understaffed.is_(False))) == 0
