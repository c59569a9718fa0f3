"""The office's annual-plan pages: made, tasks, filed, published; scoped by jurisdiction; limits with Chinese
messages; the catalogue's versions and the plans that use them."""
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.programme.helpers import place_world
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.stages.directory.models import CheckItem, CheckItemVersion
from webapp.stages.plans import annual as annuals
from webapp.stages.plans import limits
from webapp.stages.plans.models import AnnualPlan


def _post(client, url, data, page):
    return client.post(url, data=dict(data, csrf_token=csrf_token(client, page)), follow_redirects=True)


def test_office_makes_files_and_publishes_its_annual_plan(world, auth, client):
    places = place_world()
    auth.login("office")
    depts = [str(factories.department(c).id) for c in ("jiaoti", "renshe", "weijian")]
    page = _post(client, "/programme/new", {"year": "2023", "doc_number": "保莲双随机办〔2023〕4号",
                                            "title": "莲池区2023年度双随机抽查计划", "planned_tasks": "2",
                                            "departments": depts}, "/programme/new")
    assert "年度计划已保存" in page.get_data(as_text=True)
    annual = db.session.scalar(select(AnnualPlan))
    assert annual.jurisdiction_id == places["130606"].id and len(annual.departments) == 3
    # a clashing number is refused in Chinese and nothing is lost
    again = _post(client, "/programme/new", {"year": "2023", "doc_number": "保莲双随机办〔2023〕4号", "title": "重复",
                                             "departments": depts}, "/programme/new")
    assert "已有文号" in again.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(AnnualPlan)) == 1

    shown = f"/programme/{annual.id}"
    page = _post(client, f"{shown}/tasks", {"plan_id": str(world.old.id)}, shown).get_data(as_text=True)
    assert "列为年度计划的任务" in page and world.old.doc_number in page
    page = _post(client, f"{shown}/file", {}, shown).get_data(as_text=True)
    assert "已报保定市备案" in page
    page = _post(client, f"{shown}/publish", {}, shown).get_data(as_text=True)
    assert "已向社会公开" in page
    db.session.expire_all()
    assert annual.filed_on is not None and annual.filed_to.code == "130600"
    assert [a.id for a in annuals.public()] == [annual.id]
    assert annuals.public(places["130602"].id) == []
    view = annuals.public_view(annual)
    assert view["tasks"][0]["doc_number"] == world.old.doc_number and "contact" not in view
    for text in ("全年进度", "完成率", "按时录入率", "公示率", "公示时限"):
        assert text in page


def test_another_district_cannot_read_or_change_it_and_the_city_only_reads(world, auth, client):
    places = place_world()
    annual = AnnualPlan(jurisdiction_id=places["130606"].id, year=2023, doc_number="保莲双随机办〔2023〕4号", title="T")
    db.session.add(annual)
    other = factories.user("js_office", (roles.OFFICE_ADMIN,))
    other.jurisdiction_id = places["130602"].id
    city = factories.user("city_office", (roles.OFFICE_ADMIN,))
    city.jurisdiction_id = places["130600"].id
    db.session.commit()
    auth.login("js_office")
    assert client.get(f"/programme/{annual.id}").status_code == 404
    assert client.get(f"/programme/{annual.id}/edit").status_code == 404
    token = csrf_token(client, "/programme")
    assert client.post(f"/programme/{annual.id}/publish", data={"csrf_token": token}).status_code == 404
    assert "保莲双随机办〔2023〕4号" not in client.get("/programme").get_data(as_text=True)
    auth.logout()
    auth.login("city_office")
    assert client.get(f"/programme/{annual.id}").status_code == 200
    assert client.get(f"/programme/{annual.id}/edit").status_code == 403
    token = csrf_token(client, "/programme")
    assert client.post(f"/programme/{annual.id}/file", data={"csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert annual.filed_on is None and annual.published_at is None


def test_limits_page_saves_and_refuses_bad_input_in_chinese(world, auth, client):
    places = place_world()
    auth.login("office")
    page = _post(client, "/programme/limits", {"entry_days": "5", "publish_days": "abc", "visit_cap": ""},
                 "/programme/limits").get_data(as_text=True)
    assert "公示时限应为 1 到 120 之间的整数" in page
    page = _post(client, "/programme/limits", {"entry_days": "4", "publish_days": "15", "visit_cap": "2"},
                 "/programme/limits").get_data(as_text=True)
    assert "已保存" in page
    assert limits.of(places["130606"].id).visit_cap == 2 and limits.of(places["130606"].id).publish_days == 15


def test_an_item_edit_makes_a_version_and_the_catalogue_shows_which_plans_use_which(world, auth, client):
    place_world()
    item = world.old.items[0]
    source = db.session.get(CheckItem, item.source_item_id)
    auth.login(factories.ADMINS[source.department.code])
    url = f"/directory/items/{source.id}/edit"
    page = _post(client, url, {"title": source.title, "methods": list(source.methods),
                               "points": "\n".join(p.text for p in source.points) + "\n新增要点",
                               "legal_basis": source.legal_basis, "national_code": "GJ-001", "frequency": "每年一次",
                               "ratio": "5", "active": "1"}, url).get_data(as_text=True)
    assert "第 2 版" in page
    rows = db.session.scalars(select(CheckItemVersion).where(CheckItemVersion.item_id == source.id)).all()
    assert [r.version for r in rows] == [2] and rows[0].national_code == "GJ-001" and rows[0].ratio == 5
    bad = _post(client, url, {"title": source.title, "methods": list(source.methods), "points": "要点",
                              "ratio": "百分之五", "active": "1"}, url).get_data(as_text=True)
    assert "抽查比例应为 1 到 100 之间的整数" in bad
    html = client.get(f"/directory/items/{source.id}/versions").get_data(as_text=True)
    assert "第 2 版" in html and "GJ-001" in html
    assert item.source_version == 1
    assert world.old.doc_number in html.split("第 1 版", 1)[1]  # the plans hold version 1


def test_the_demo_carries_lianchi_2023_annual_plan_with_the_seed_plan_as_a_task(demo):
    from webapp.stages.plans.models import Plan

    annual = db.session.scalar(select(AnnualPlan).where(AnnualPlan.doc_number == "保莲双随机办〔2023〕4号"))
    assert annual.jurisdiction.code == "130606" and annual.year == 2023 and annual.filed_to.code == "130600"
    docs = [t.doc_number for t in annual.tasks]
    assert docs == ["保莲双随机办[2023]10号", "保莲双随机办[2023]15号"]
    seed = db.session.scalar(select(Plan).where(Plan.doc_number == "保莲双随机办[2023]10号"))
    assert seed.window_start.isoformat() == "2023-06-01" and seed.window_end.isoformat() == "2023-08-31"
    assert db.session.scalar(select(db.func.count()).select_from(CheckItemVersion)
                             .where(CheckItemVersion.jurisdiction_id == annual.jurisdiction_id)) == 14


def test_the_cli_prints_progress_and_sets_limits(world, runner):
    places = place_world()
    annual = AnnualPlan(jurisdiction_id=places["130606"].id, year=2023, doc_number="保莲双随机办〔2023〕4号", title="T",
                        departments=[])
    db.session.add(annual)
    db.session.flush()
    world.old.annual_plan_id = annual.id
    db.session.commit()
    out = runner.invoke(args=["programme", "progress", str(annual.id)])
    assert out.exit_code == 0, out.output
    assert "完成率" in out.output and world.old.doc_number in out.output
    out = runner.invoke(args=["programme", "limits", "130606", "--visit-cap", "3"])
    assert out.exit_code == 0 and "每户每年抽查上限 3" in out.output
    out = runner.invoke(args=["programme", "limits", "130606", "--entry-days", "0"])
    assert out.exit_code != 0 and "录入时限应为" in out.output
    assert limits.of(places["130606"].id).visit_cap == 3
