"""Plans: the office creates and edits drafts with all the issue's fields; a drawn plan is frozen."""
from sqlalchemy import func, select

from tests.conftest import csrf_token
from webapp.core.extensions import db
from webapp.stages.accounts.models import Department
from webapp.stages.directory.models import CheckItem
from webapp.stages.plans.models import Plan, PlanItem


def depts():
    return {d.code: d for d in db.session.scalars(select(Department))}


def items_of(code):
    return db.session.scalars(select(CheckItem).join(Department).where(Department.code == code)
                              .order_by(CheckItem.position)).all()


def form(**over):
    d = depts()
    data = {
        "doc_number": "保莲双随机办[2024]3号", "title": "2024年校外培训机构联合抽查", "issuer": "莲池区双随机办",
        "issued_on": "2024/5/6", "based_on": "", "contact_name": "白冬", "contact_phone": "5078771",
        "window_start": "2024-06-01", "window_end": "2024-08-31", "lead_department_id": str(d["jiaoti"].id),
        "category": "校外培训机构", "registered_before": "2024-06-01", "annual_report_year": "2023", "statuses": "合格",
        "ratio_high": "100", "ratio_higher": "80", "ratio_general": "50", "ratio_low": "20", "floor_percent": "5",
        "confirm_days": "5", "entry_days": "5", "publish_days": "20",
        f"dept_{d['jiaoti'].id}": "1", f"team_{d['jiaoti'].id}": "1",
        f"items_{d['jiaoti'].id}": [str(i.id) for i in items_of("jiaoti")[:2]],
        f"dept_{d['weijian'].id}": "1", f"team_{d['weijian'].id}": "1",
        f"items_{d['weijian'].id}": [str(items_of("weijian")[0].id)],
    }
    data.update(over)
    return data


def submit(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data}, follow_redirects=True)


def test_office_creates_a_plan_with_departments_items_and_rules(app, world, client, auth):
    auth.login("office")
    response = submit(client, "/plans/new", form())
    html = response.get_data(as_text=True)
    assert "计划已保存" in html and "2024年校外培训机构联合抽查" in html
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "保莲双随机办[2024]3号"))
    assert plan.status == "draft" and str(plan.issued_on) == "2024-05-06"
    assert plan.ratios == {"high": 100, "higher": 80, "general": 50, "low": 20} and plan.floor_percent == 5
    assert (plan.confirm_days, plan.entry_days, plan.publish_days) == (5, 5, 20)
    assert plan.statuses == ["合格"] and plan.annual_report_year == 2023
    assert [(d.department.code, d.team_size) for d in plan.departments] == [("jiaoti", 1), ("weijian", 1)]
    assert [i.title for i in plan.items] == [i.title for i in items_of("jiaoti")[:2]] + [items_of("weijian")[0].title]
    assert all(i.check_points for i in plan.items)


def test_plan_form_refuses_what_the_rules_forbid(app, world, client, auth):
    auth.login("office")
    d = depts()
    cases = {
        "各部门现场检查人数合计至少 2 人": form(**{f"team_{d['weijian'].id}": "0"}),
        "高风险比例须为 0–100 的整数": form(ratio_high="101"),
        "一般风险比例须为 0–100 的整数": form(ratio_general="50.5"),
        "牵头部门须是参与部门之一": form(lead_department_id=str(d["renshe"].id)),
        "检查结束日期不能早于开始日期": form(window_end="2024-05-01"),
        "请为该部门至少选择一个抽查事项": form(**{f"items_{d['weijian'].id}": []}),
        "请填写文号": form(doc_number=""),
        "日期不存在": form(window_start="2024-02-30"),
        # Out of the regime's range (9999-12-31 overflowed the deadline arithmetic): a Chinese message, no 500.
        "检查结束日期超出有效范围（2000-01-01 至 2099-12-31）": form(window_end="9999-12-31"),
        "检查开始日期超出有效范围": form(window_start="0001-01-01"),
        "发文日期超出有效范围": form(issued_on="1999-12-31"),
        "登记日期早于超出有效范围": form(registered_before="2100-01-01"),
    }
    before = db.session.scalar(select(func.count()).select_from(Plan))
    for message, data in cases.items():
        html = submit(client, "/plans/new", data).get_data(as_text=True)
        assert message in html, message
    assert db.session.scalar(select(func.count()).select_from(Plan)) == before


def test_editing_keeps_the_item_copies_and_a_drawn_plan_is_frozen(app, world, client, auth):
    auth.login("office")
    submit(client, "/plans/new", form())
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "保莲双随机办[2024]3号"))
    url = f"/plans/{plan.id}/edit"
    kept = {(i.department_id, i.source_item_id): i.id for i in plan.items}
    first = plan.items[0]
    source = db.session.get(CheckItem, first.source_item_id)
    source.title, source.version = "库中已改名的事项", 2
    db.session.commit()
    assert 'value="保莲双随机办[2024]3号"' in client.get(url).get_data(as_text=True)

    d = depts()
    extra = items_of("jiaoti")[2]
    chosen = [str(i.id) for i in items_of("jiaoti")[:2]] + [str(extra.id)]
    html = submit(client, url, form(title="（修订）", **{f"items_{d['jiaoti'].id}": chosen})).get_data(as_text=True)
    assert "计划已保存" in html
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    now = {(i.department_id, i.source_item_id): i.id for i in plan.items}
    assert plan.title == "（修订）" and len(now) == 4
    assert all(now[k] == v for k, v in kept.items())  # the copies made at creation are kept
    assert db.session.get(PlanItem, first.id).title != "库中已改名的事项"
    assert [i.source_item_id for i in plan.items_of(d["jiaoti"].id)] == [int(c) for c in chosen]

    plan.status = "drawn"
    db.session.commit()
    html = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "计划已抽取或已结束，不能再修改" in html and "修改计划</a>" not in html
    client.post(url, data={"csrf_token": csrf_token(client, f"/plans/{plan.id}"), **form(title="不应保存")})
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).title == "（修订）"


def test_plan_pages_are_gated_by_role(app, world, client, auth):
    plan_id = world.old.id
    auth.login("jt01")
    for url in ("/plans", f"/plans/{plan_id}", f"/plans/{plan_id}/eligibility", "/plans/new"):
        assert client.get(url).status_code == 403
    auth.logout()
    auth.login("jt_admin")
    assert client.get(f"/plans/{plan_id}").status_code == 200
    assert "保莲双随机办[2023]10号" in client.get("/plans").get_data(as_text=True)
    assert client.get("/plans/new").status_code == 403
    assert client.get(f"/plans/{plan_id}/edit").status_code == 403
