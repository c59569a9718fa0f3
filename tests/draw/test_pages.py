"""The pages: roles and ownership, CSRF, the ceremonies, confirmation, experts, calendar, the public page."""
import json
from datetime import date

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import confirm_all, entity_draw, get_user, inspector_draw
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.directory.models import InspectorProfile
from webapp.stages.draw import confirmation
from webapp.stages.draw.models import Draw
from webapp.stages.records import teams
from webapp.stages.records.models import InspectionRecord, RecordMember


def post(client, url, data, page):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)}, follow_redirects=True)


def test_only_the_office_runs_ceremonies(world, client, auth):
    assert client.get(f"/draw/plans/{world.current.id}").status_code == 302  # to the login page
    auth.login("jt_admin")
    assert client.get(f"/draw/plans/{world.current.id}").status_code == 403
    token = csrf_token(client, "/home")
    assert client.post(f"/draw/plans/{world.current.id}/prepare", data={"csrf_token": token, "kind": "entities"}).status_code == 403
    assert db.session.scalar(select(Draw)) is None


def test_csrf_is_required(world, client, auth):
    auth.login("office")
    assert client.post(f"/draw/plans/{world.current.id}/prepare", data={"kind": "entities"}).status_code == 400
    assert db.session.scalar(select(Draw)) is None


def test_office_prepares_executes_and_sees_the_result(world, client, auth):
    auth.login("office")
    html = post(client, f"/draw/plans/{world.current.id}/prepare", {"kind": "entities"}, f"/draw/plans/{world.current.id}").get_data(as_text=True)
    d = db.session.scalar(select(Draw))
    assert d.population_digest in html and d.commitment in html and d.nonce not in html
    html = post(client, f"/draw/{d.id}/execute", {"witness": "07 19 23"}, f"/draw/plans/{world.current.id}").get_data(as_text=True)
    db.session.refresh(d)
    assert d.status == "executed" and d.seed in html and d.nonce in html
    assert "抽中对象" in html
    html = post(client, f"/draw/{d.id}/execute", {"witness": "again"}, f"/draw/plans/{world.current.id}").get_data(as_text=True)
    assert "不能再次执行" in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draw.execute"))
    assert event.user_id == get_user("office").id and event.ip == "127.0.0.1"


def test_abandoned_draw_is_public_with_its_reason(world, client, auth):
    auth.login("office")
    post(client, f"/draw/plans/{world.current.id}/prepare", {"kind": "entities"}, f"/draw/plans/{world.current.id}")
    d = db.session.scalar(select(Draw))
    html = post(client, f"/draw/{d.id}/abandon", {"reason": ""}, f"/draw/plans/{world.current.id}").get_data(as_text=True)
    assert "必须写明理由" in html
    post(client, f"/draw/{d.id}/abandon", {"reason": "观察员未到场，改日举行"}, f"/draw/plans/{world.current.id}")
    auth.logout()
    html = client.get("/public/draws").get_data(as_text=True)
    assert "已作废" in html and "观察员未到场，改日举行" in html
    html = client.get(f"/public/draws/{d.id}").get_data(as_text=True)
    assert d.commitment in html and d.nonce in html  # revealed on abandonment
    assert client.get(f"/public/draws/{d.id}/manifest.json").status_code == 404


def test_public_page_shows_everything_once_the_window_has_closed_and_the_manifest_verifies(world, client):
    """(Before the window closes the page shows only the commitment: tests/draw/test_disclosure.py.)"""
    p = world.current
    d = entity_draw(p)
    conf = d.confirmations[1]
    from webapp.stages.directory.models import Entity

    e = db.session.scalar(select(Entity).where(Entity.uscc == d.result["selected"][3][0]))
    confirmation.exclude(conf, e, "moved", "已迁至竞秀区", get_user("rs_admin"))
    confirm_all(d)
    insp = inspector_draw(p)
    from datetime import timedelta

    from webapp.core import clock

    p.window_end = clock.today() - timedelta(days=1)
    db.session.commit()
    html = client.get("/public/draws").get_data(as_text=True)
    assert f"第 {d.id} 号" in html and f"第 {insp.id} 号" in html
    html = client.get(f"/public/draws/{d.id}").get_data(as_text=True)
    for value in (d.population_digest, d.commitment, d.seed, "已迁出：已迁至竞秀区", e.name):
        assert value in html
    response = client.get(f"/public/draws/{d.id}/manifest.json")
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["exclusions"] == [{"uscc": e.uscc, "department": "renshe", "reason": "已迁出：已迁至竞秀区"}]
    from webapp.domain.draw import verify

    assert all(ok for _, ok, _ in verify(manifest))
    assert insp.seed in client.get(f"/public/draws/{insp.id}").get_data(as_text=True)


def test_department_admin_confirms_only_its_own_list(world, client, auth):
    d = entity_draw(world.current)
    confs = {c.department.code: c for c in d.confirmations}
    auth.login("jt_admin")
    assert client.get(f"/draw/confirm/{confs['renshe'].id}").status_code == 403
    page = f"/draw/confirm/{confs['jiaoti'].id}"
    html = client.get(page).get_data(as_text=True)
    assert "确认期限" in html
    uscc = d.result["selected"][0][0]
    html = post(client, f"{page}/exclude", {"uscc": uscc, "reason": "other", "note": ""}, page).get_data(as_text=True)
    assert "必须写明具体情况" in html
    html = post(client, f"{page}/exclude", {"uscc": uscc, "reason": "duplicate", "note": "与另一条记录重复"},
                page).get_data(as_text=True)
    assert "重复：与另一条记录重复" in html
    html = post(client, f"{page}/confirm", {}, page).get_data(as_text=True)
    assert "已确认本部门的检查对象名单" in html
    db.session.refresh(confs["jiaoti"])
    assert confs["jiaoti"].confirmed_at is not None and not confs["jiaoti"].late
    assert [ex.uscc for ex in confs["jiaoti"].exclusions] == [uscc]


def test_missed_deadline_is_flagged_to_the_office_never_auto_confirmed(world, client, auth):
    d = entity_draw(world.current)
    for c in d.confirmations:
        c.deadline = date(2020, 1, 6)
    db.session.commit()
    auth.login("office")
    html = client.get(f"/draw/plans/{world.current.id}").get_data(as_text=True)
    assert html.count("逾期未确认") == 3
    assert all(c.confirmed_at is None for c in d.confirmations)
    assert "各部门全部确认名单后" in html
    html = client.get("/draw/").get_data(as_text=True)
    assert "逾期未确认名单：莲池区教育和体育局、莲池区人社局、莲池区卫健局" in html


def test_department_admin_appoints_an_expert_with_a_reason(world, client, auth):
    p = world.current
    confirm_all(entity_draw(p))
    inspector_draw(p)
    # A record that lacks what the expert brings (体育专业): an appointment meant to cover qualifications must
    # bring one of those the record lacks (stages/records/teams.py; tests/draw/test_assignment_rules.py).
    record = next(r for r in db.session.scalars(
        select(InspectionRecord).where(InspectionRecord.needs_expert.is_(True)).join(RecordMember)
        .where(RecordMember.department_id == get_user("jt_admin").department_id).order_by(InspectionRecord.id)
    ).unique() if "体育专业" in {q for _, _, q in teams.missing_qualifications(r)})
    missing = teams.missing_qualifications(record)
    auth.login("jt_admin")
    assert record.entity.name in client.get("/draw/experts/").get_data(as_text=True)
    page = f"/draw/records/{record.id}/expert"
    expert = db.session.scalar(select(InspectorProfile).where(InspectorProfile.user_id == get_user("jt_expert").id))
    html = post(client, page, {"inspector": expert.id, "reason": ""}, page).get_data(as_text=True)
    assert "请写明选派理由" in html
    html = post(client, page, {"inspector": expert.id, "reason": "高危体育项目需体育专业人员"}, page).get_data(as_text=True)
    assert f"已选派 {expert.name}" in html
    member = db.session.scalar(select(RecordMember).where(RecordMember.record_id == record.id,
                                                          RecordMember.inspector_id == expert.id))
    assert member.kind == "expert" and member.reason == "高危体育项目需体育专业人员"
    assert member.appointed_by_id == get_user("jt_admin").id
    db.session.refresh(record)
    still = [m for m in missing if m[2] not in (expert.qualifications or [])]
    assert record.needs_expert == bool(still)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "record.appoint_expert"))
    # The expert now sees the task.
    from webapp.faces.home.todo import my_records

    assert record in my_records(get_user("jt_expert"))


def test_foreign_department_cannot_appoint(world, client, auth):
    from webapp.stages.directory.models import Entity

    p = world.current
    d = entity_draw(p)
    conf = next(c for c in d.confirmations if c.department.code == "weijian")
    entity = db.session.scalar(select(Entity).where(Entity.uscc == d.result["selected"][0][0]))
    confirmation.exclude(conf, entity, "not_ours", "", get_user("wj_admin"))
    confirm_all(d)
    inspector_draw(p)
    record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.entity_id == entity.id))
    auth.login("wj_admin")
    assert client.get(f"/draw/records/{record.id}/expert").status_code == 403
    token = csrf_token(client, "/home")
    response = client.post(f"/draw/records/{record.id}/expert", data={"csrf_token": token, "inspector": 1,
                                                                      "reason": "越权选派测试"})
    assert response.status_code == 403
    assert all(m.kind == "drawn" for m in record.members)


def test_home_pages_point_to_the_draw(world, client, auth):
    d = entity_draw(world.current)
    conf = next(c for c in d.confirmations if c.department.code == "jiaoti")
    auth.login("jt_admin")
    html = client.get("/home").get_data(as_text=True)
    assert f"/draw/confirm/{conf.id}" in html and "检查对象名单待确认" in html
    auth.logout()
    for c in d.confirmations:
        c.deadline = date(2020, 1, 6)
    db.session.commit()
    auth.login("office")
    html = client.get("/home").get_data(as_text=True)
    assert "莲池区教育和体育局 逾期未确认名单" in html


def test_department_admin_fills_a_team_the_draw_left_short(world, client, auth):
    p = world.current
    confirm_all(entity_draw(p))
    weijian = next(pd for pd in p.departments if pd.department.code == "weijian")
    staff = db.session.scalars(select(InspectorProfile).where(
        InspectorProfile.department_id == weijian.department_id, InspectorProfile.is_expert.is_(False))).all()
    for x in staff:
        x.status = "on_leave"  # nobody of the department can be drawn
    db.session.commit()
    inspector_draw(p)
    record = db.session.scalar(select(InspectionRecord).order_by(InspectionRecord.id))
    assert record.understaffed and teams.shortfall(record) == {weijian.department_id: 1}
    assert weijian.department_id not in {m.department_id for m in record.members}
    auth.login("wj_admin")
    assert record.entity.name in client.get("/draw/experts/").get_data(as_text=True)
    page = f"/draw/records/{record.id}/expert"
    assert "还差 1 人" in client.get(page).get_data(as_text=True)
    staff[0].status = "active"  # back from leave
    db.session.commit()
    html = post(client, page, {"inspector": staff[0].id, "reason": "原抽取时全员休假，现已返岗补足"}, page).get_data(as_text=True)
    assert f"已选派 {staff[0].name}" in html
    db.session.refresh(record)
    assert not record.understaffed and teams.shortfall(record) == {}
    on_leave = staff[1]
    html = post(client, page, {"inspector": on_leave.id, "reason": "再补一人试试"}, page).get_data(as_text=True)
    assert "不在岗" in html
