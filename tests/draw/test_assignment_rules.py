"""回避 and qualifications hold at every assignment (issue 10 §3): the draw's matching, dispatch, and every
appointment (the expert page, filling a team the draw left short), on the page and in the stage."""
import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.factories import account, confirm_all, dispatched, entity_draw, get_user, inspector_draw
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.stages.directory.models import Conflict, Entity, InspectorProfile
from webapp.stages.draw import ceremony
from webapp.stages.draw.ceremony import DrawRefused
from webapp.stages.records import dispatch, teams
from webapp.stages.records.models import InspectionRecord, RecordMember


def post(client, url, data, page):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)}, follow_redirects=True)


def declare(profile: InspectorProfile, entity: Entity, reason="近亲属任该单位负责人") -> Conflict:
    conflict = Conflict(inspector_id=profile.id, entity_id=entity.id, reason=reason)
    db.session.add(conflict)
    db.session.commit()
    return conflict


def members_in_conflict() -> list:
    return db.session.execute(
        select(RecordMember.id).join(InspectionRecord, InspectionRecord.id == RecordMember.record_id)
        .join(Conflict, (Conflict.inspector_id == RecordMember.inspector_id)
              & (Conflict.entity_id == InspectionRecord.entity_id))).all()


def test_the_draw_never_matches_a_conflict_declared_before_it_was_prepared(world):
    p = world.current
    d = entity_draw(p)
    confirm_all(d)
    drawn = db.session.scalars(select(Entity).where(Entity.uscc.in_([s[0] for s in d.result["selected"]]))).all()
    everyone = db.session.scalars(select(InspectorProfile).where(InspectorProfile.is_expert.is_(False))).all()
    for entity in drawn[:3]:  # nobody may inspect these three: their teams must come out empty and short
        for person in everyone:
            db.session.add(Conflict(inspector_id=person.id, entity_id=entity.id, reason="测试回避"))
    for entity in drawn[3:]:  # and jt01 may inspect none of the others
        db.session.add(Conflict(inspector_id=account("jt01").profile.id, entity_id=entity.id, reason="测试回避"))
    db.session.commit()
    inspector_draw(p)
    assert db.session.scalar(select(func.count()).select_from(InspectionRecord)) == len(drawn)
    assert members_in_conflict() == []
    for entity in drawn[:3]:
        record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.entity_id == entity.id))
        assert record.members == [] and record.understaffed


def test_dispatch_refuses_a_conflict_declared_after_the_draw_was_prepared(world, client, auth):
    p = world.current
    confirm_all(entity_draw(p))
    d = ceremony.prepare(p, algo.INSPECTORS, get_user("office"), "test")
    db.session.commit()
    # What the draw will give is fixed by its commitment: find who it puts where, then declare a conflict there.
    seed_result = algo.match_teams(
        algo.draw_seed(d.nonce, "见证", d.population_digest), algo.parse_population(d.population),
        d.params["roster"], [], d.params["team_sizes"], d.params["lead_department"], p.window_start, p.window_end)
    team = next(t for t in seed_result["teams"] if t["certificates"])
    person = db.session.scalar(select(InspectorProfile).where(InspectorProfile.certificate_no == team["certificates"][0]))
    entity = db.session.scalar(select(Entity).where(Entity.uscc == team["uscc"]))
    declare(person, entity)

    with pytest.raises(DrawRefused) as caught:
        dispatch.execute(d, "见证", get_user("office"), "test")
    assert "抽取准备后又申报了回避关系" in caught.value.message and person.name in caught.value.message
    db.session.rollback()

    auth.login("office")
    page = f"/draw/plans/{p.id}"
    html = post(client, f"/draw/{d.id}/execute", {"witness": "见证"}, page).get_data(as_text=True)
    assert "抽取准备后又申报了回避关系" in html and "请作废本次抽取并重新准备" in html
    db.session.refresh(d)
    assert d.status == "prepared"  # rolled back with the refusal: nothing revealed, nothing dispatched
    assert db.session.scalar(select(func.count()).select_from(InspectionRecord)) == 0


def test_an_admin_cannot_appoint_an_expert_with_a_declared_conflict_page_and_stage(world, client, auth):
    """The attack of the issue: the department admin declares a conflict between an expert and an enterprise, then
    appoints that expert to that enterprise's record."""
    p = world.current
    entity = db.session.scalars(select(Entity).order_by(Entity.id)).first()
    record = dispatched(p, entity, team=("jt02", "rs01"))  # nobody holds 体育专业: the record needs an expert
    expert = account("jt_expert").profile
    auth.login("jt_admin")
    # The conflict, declared on the roster page by the same department admin.
    page = f"/directory/inspectors/{expert.id}"
    html = post(client, f"{page}/conflicts", {"uscc": entity.uscc, "reason": "其配偶为该机构法定代表人"}, page
                ).get_data(as_text=True)
    assert "已登记回避" in html
    appoint = f"/draw/records/{record.id}/expert"
    response = post(client, appoint, {"inspector": expert.id, "reason": "高危体育项目需体育专业人员"}, appoint)
    html = response.get_data(as_text=True)
    assert "已申报回避" in html and "其配偶为该机构法定代表人" in html and "已选派" not in html
    db.session.expire_all()
    assert expert.id not in {m.inspector_id for m in record.members}
    from webapp.faces.home.todo import my_records

    assert record not in my_records(get_user("jt_expert"))  # the expert never got the task
    with pytest.raises(teams.AssignmentRefused) as caught:
        teams.appoint_expert(record, expert, "高危体育项目需体育专业人员", get_user("jt_admin"))
    assert caught.value.status == 409 and "回避" in caught.value.message
    db.session.rollback()


def test_an_appointment_meant_to_cover_a_qualification_must_bring_it(world, client, auth):
    p = world.current
    assert any(i.required_qualification == "体育专业" for i in p.items)
    entity = db.session.scalars(select(Entity).order_by(Entity.id)).first()
    record = dispatched(p, entity, team=("jt02", "rs01"))
    assert "体育专业" in {q for _, _, q in teams.missing_qualifications(record)}
    unqualified = db.session.scalar(select(InspectorProfile).where(InspectorProfile.name == "赵强"))
    auth.login("jt_admin")
    page = f"/draw/records/{record.id}/expert"
    html = post(client, page, {"inspector": unqualified.id, "reason": "临时抽调协助检查"}, page).get_data(as_text=True)
    assert "不具备该检查表缺少的资格" in html and "体育专业" in html
    expired = db.session.scalar(select(InspectorProfile).where(InspectorProfile.name == "孙磊"))
    with pytest.raises(teams.AssignmentRefused) as caught:
        teams.appoint_expert(record, expired, "临时抽调协助检查", get_user("jt_admin"))
    assert "执法证件有效期未覆盖本次检查期" in caught.value.message
    db.session.rollback()
    db.session.expire_all()
    assert {m.inspector.name for m in record.members} == {"李娜", "张敏"}
    # The qualified expert is accepted, and the record no longer lacks the qualification.
    html = post(client, page, {"inspector": account("jt_expert").profile.id, "reason": "高危体育项目需体育专业人员"},
                page).get_data(as_text=True)
    assert "已选派 陈静" in html
    db.session.expire_all()
    assert "体育专业" not in {q for _, _, q in teams.missing_qualifications(record)}


def test_filling_a_short_team_refuses_a_conflict_too(world, client, auth):
    p = world.current
    confirm_all(entity_draw(p))
    weijian = next(pd for pd in p.departments if pd.department.code == "weijian")
    staff = db.session.scalars(select(InspectorProfile).where(
        InspectorProfile.department_id == weijian.department_id, InspectorProfile.is_expert.is_(False))
        .order_by(InspectorProfile.id)).all()
    for x in staff:
        x.status = "on_leave"
    db.session.commit()
    inspector_draw(p)
    record = db.session.scalar(select(InspectionRecord).order_by(InspectionRecord.id))
    assert teams.shortfall(record) == {weijian.department_id: 1}
    staff[0].status = "active"
    db.session.commit()
    declare(staff[0], record.entity, "曾在该机构兼职")
    auth.login("wj_admin")
    page = f"/draw/records/{record.id}/expert"
    html = post(client, page, {"inspector": staff[0].id, "reason": "原抽取时全员休假，现已返岗补足"}, page).get_data(as_text=True)
    assert "已申报回避" in html and "曾在该机构兼职" in html
    db.session.expire_all()
    assert teams.shortfall(record) == {weijian.department_id: 1}
    # Filling a shortfall is about numbers: someone without any qualification but without a conflict may fill it.
    staff[1].status = "active"
    db.session.commit()
    assert not staff[1].qualifications
    html = post(client, page, {"inspector": staff[1].id, "reason": "原抽取时全员休假，现已返岗补足"}, page).get_data(as_text=True)
    assert f"已选派 {staff[1].name}" in html
