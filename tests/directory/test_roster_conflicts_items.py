"""The inspector roster, conflicts of interest (回避) and the item library: department admins in their own
department, the office everywhere; imports behave as the directory's do."""
from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.stages.accounts.models import Department
from webapp.stages.directory.models import CheckItem, Conflict, Entity, ImportBatch, InspectorProfile
from webapp.stages.plans.models import PlanItem

from .helpers import csv_file, post, upload, xlsx

HEADER = ["执法证号", "姓名", "所属部门", "有效期起", "有效期至", "手机号码", "专业资质", "是否专家", "状态"]


def dept(code):
    return db.session.scalar(select(Department).where(Department.code == code))


def latest_batch():
    return db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))


def test_department_admin_imports_only_their_own_department(app, world, client, auth):
    auth.login("wj_admin")
    other = db.session.scalar(select(InspectorProfile).where(InspectorProfile.department_id == dept("renshe").id))
    rows = [
        ["13060603 9001", "王芳", "莲池区卫健局", "2021/1/1", "2028年12月31日", "13912345678", "卫生监督、公共卫生", "是", "在岗"],
        ["130606039002", "李强", "", "2021-01-01", "2028-12-31", "", "", "否", "休假"],
        ["130606029003", "赵敏", "莲池区人社局", "2021-01-01", "2028-12-31", "", "", "", ""],
        [other.certificate_no, "改名", "", "", "", "", "", "", ""],
        ["130606039004", "钱七", "", "2028-12-31", "2021-01-01", "", "", "", ""],
    ]
    upload(client, "inspectors", csv_file(HEADER, rows, "gbk"), "人员.csv")
    batch = latest_batch()
    assert batch.department_id == dept("weijian").id
    assert batch.summary == {"create": 2, "update": 0, "unchanged": 0, "rejected": 3, "blank": 0}
    html = client.get(f"/directory/imports/{batch.id}").get_data(as_text=True)
    assert "只能导入本部门（莲池区卫健局）的人员" in html
    assert "该执法证号属于其他部门的人员" in html and "有效期止早于有效期起" in html
    post(client, f"/directory/imports/{batch.id}/commit")
    made = db.session.scalar(select(InspectorProfile).where(InspectorProfile.certificate_no == "130606039001"))
    assert made.department_id == dept("weijian").id and made.is_expert and made.qualifications == ["卫生监督", "公共卫生"]
    assert str(made.valid_to) == "2028-12-31" and made.status == "active"
    assert db.session.scalar(select(InspectorProfile.status).where(InspectorProfile.certificate_no == "130606039002")) == "on_leave"
    db.session.refresh(other)
    assert other.name != "改名"

    # The same file again changes nothing; another department's batch is not theirs to see.
    upload(client, "inspectors", csv_file(HEADER, rows, "gbk"), "人员.csv")
    assert latest_batch().summary["unchanged"] == 2
    auth.logout()
    auth.login("rs_admin")
    assert client.get(f"/directory/imports/{batch.id}").status_code == 403
    assert client.get(f"/directory/inspectors/{made.id}/edit").status_code == 403


def test_office_imports_the_roster_of_every_department_by_xlsx(app, world, client, auth):
    auth.login("office")
    rows = [["JT-2023-001", "孙八", "jiaoti", None, "2027-06-30", None, "体育专业", "否", None],
            ["WJ-2023-001", "周九", "莲池区卫健局", None, "2027-06-30", None, None, None, None]]
    upload(client, "inspectors", xlsx(HEADER, rows))
    post(client, f"/directory/imports/{latest_batch().id}/commit")
    got = dict(db.session.execute(select(InspectorProfile.certificate_no, InspectorProfile.department_id)
                                  .where(InspectorProfile.certificate_no.like("%-2023-001"))).all())
    assert got == {"JT-2023-001": dept("jiaoti").id, "WJ-2023-001": dept("weijian").id}


def test_roster_editing_is_gated_by_department(app, world, client, auth):
    auth.login("jt_admin")
    mine = db.session.scalar(select(InspectorProfile).where(InspectorProfile.department_id == dept("jiaoti").id))
    theirs = db.session.scalar(select(InspectorProfile).where(InspectorProfile.department_id == dept("weijian").id))
    assert client.get(f"/directory/inspectors/{theirs.id}").status_code == 403
    html = client.get("/directory/inspectors").get_data(as_text=True)
    assert mine.name in html and theirs.certificate_no not in html
    page = f"/directory/inspectors/{mine.id}/edit"
    html = post(client, page, {"name": mine.name, "certificate_no": mine.certificate_no, "valid_from": "2024-01-01",
                               "valid_to": "2023-01-01", "status": "active"}, page=page, follow=True).get_data(as_text=True)
    assert "有效期止早于有效期起" in html
    post(client, page, {"name": "新名字", "certificate_no": mine.certificate_no, "valid_from": "2021-01-01",
                        "valid_to": "2029-12-31", "qualifications": "体育专业，游泳", "is_expert": "1",
                        "status": "on_leave", "department_id": str(dept("weijian").id)}, page=page)
    db.session.refresh(mine)
    assert (mine.name, str(mine.valid_to), mine.qualifications, mine.is_expert, mine.status) == (
        "新名字", "2029-12-31", ["体育专业", "游泳"], True, "on_leave")
    assert mine.department_id == dept("jiaoti").id  # a department admin cannot move people out
    auth.logout()
    auth.login("jt01")
    assert client.get("/directory/inspectors").status_code == 403
    assert client.get(f"/directory/inspectors/{mine.id}").status_code == 403


def test_conflicts_declared_on_the_page_and_by_import(app, world, client, auth):
    auth.login("jt_admin")
    inspector = db.session.scalar(select(InspectorProfile).where(InspectorProfile.department_id == dept("jiaoti").id))
    entities = db.session.scalars(select(Entity).order_by(Entity.id).limit(3)).all()
    page = f"/directory/inspectors/{inspector.id}"
    html = post(client, f"{page}/conflicts", {"uscc": entities[0].uscc, "reason": ""}, page=page, follow=True)
    assert "请填写回避原因" in html.get_data(as_text=True)
    post(client, f"{page}/conflicts", {"uscc": entities[0].uscc.lower(), "reason": "配偶任该机构法定代表人"}, page=page)
    assert db.session.scalar(select(Conflict.reason).where(Conflict.inspector_id == inspector.id)) == "配偶任该机构法定代表人"

    other = db.session.scalar(select(InspectorProfile).where(InspectorProfile.department_id == dept("renshe").id))
    header = ["执法证号", "统一社会信用代码", "回避原因"]
    rows = [[inspector.certificate_no, entities[1].uscc, "曾在该机构任职"],
            [inspector.certificate_no, entities[0].uscc, "配偶任该机构法定代表人"],
            [other.certificate_no, entities[2].uscc, "亲属"],
            ["999999", entities[2].uscc, "亲属"]]
    upload(client, "conflicts", csv_file(header, rows), "回避.csv")
    batch = latest_batch()
    assert batch.summary == {"create": 1, "update": 0, "unchanged": 1, "rejected": 2, "blank": 0}
    html = client.get(f"/directory/imports/{batch.id}").get_data(as_text=True)
    assert "只能为本部门的执法人员登记回避" in html and "执法证号不在执法人员名录库中" in html
    post(client, f"/directory/imports/{batch.id}/commit")
    assert db.session.scalar(select(func.count()).select_from(Conflict).where(Conflict.inspector_id == inspector.id)) == 2

    conflict = db.session.scalar(select(Conflict).where(Conflict.entity_id == entities[1].id))
    post(client, f"/directory/conflicts/{conflict.id}/delete", page=page)
    assert db.session.get(Conflict, conflict.id) is None


def test_item_edit_bumps_the_version_and_plans_keep_their_copy(app, world, client, auth):
    item = db.session.scalar(select(CheckItem).join(Department).where(Department.code == "weijian"))
    copy = db.session.scalar(select(PlanItem).where(PlanItem.source_item_id == item.id,
                                                    PlanItem.plan_id == world.old.id))
    old_title, old_points = copy.title, list(copy.check_points)
    auth.login("jt_admin")
    assert client.get(f"/directory/items/{item.id}/edit").status_code == 403
    auth.logout()
    auth.login("office")
    assert client.get(f"/directory/items/{item.id}/edit").status_code == 403
    assert "对学校卫生的监督检查" in client.get("/directory/items").get_data(as_text=True)
    auth.logout()
    auth.login("wj_admin")
    page = f"/directory/items/{item.id}/edit"
    html = post(client, page, {"title": item.title, "points": ""}, page=page, follow=True).get_data(as_text=True)
    assert "请至少选择一种检查方式" in html and "请至少填写一个检查要点" in html
    post(client, page, {"title": item.title, "methods": ["document", "onsite", "online"], "points": "饮用水卫生\n传染病防控制度",
                        "legal_basis": "《学校卫生工作条例》", "required_qualification": "卫生监督", "active": "1"}, page=page)
    db.session.refresh(item)
    assert item.version == 2 and [p.text for p in item.points] == ["饮用水卫生", "传染病防控制度"]
    db.session.refresh(copy)
    assert (copy.title, copy.check_points, copy.source_version) == (old_title, old_points, 1)
    # Unchanged content does not make a new version.
    post(client, page, {"title": item.title, "methods": ["document", "onsite", "online"], "points": "饮用水卫生\n传染病防控制度",
                        "legal_basis": "《学校卫生工作条例》", "required_qualification": "卫生监督", "active": "1"}, page=page)
    db.session.refresh(item)
    assert item.version == 2
    post(client, "/directory/items/new", {"title": "对托育机构卫生保健的检查", "methods": ["onsite"], "points": "保健室配备",
                                           "active": "1"}, page="/directory/items/new")
    assert db.session.scalar(select(CheckItem.department_id).where(CheckItem.title == "对托育机构卫生保健的检查")) == dept("weijian").id
