"""谁抽查、谁录入、谁公示: a joint 一企一表 is reviewed and published per department (issue 10 §1). One signed
document, one hash; each department's reviewer decides its own part, and each part is published under its own
检查实施机关."""
from sqlalchemy import select

from tests.review.joint import (
    CORRECTED,
    JIAOTI,
    NO_PROBLEM,
    RENSHE,
    amend,
    decide,
    decide_as,
    joint_record,
    part,
    publish,
    statuses,
)
from webapp.core.extensions import db
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import service
from webapp.stages.review.models import Amendment, ReviewEvent


def test_the_jiaoti_approval_does_not_publish_the_renshe_part(world, client, auth):
    record = joint_record()
    auth.login("jt_review")
    assert decide(client, record, "approve", "本部门事项记录完整").status_code == 302
    assert statuses(record) == {"jiaoti": "approved", "renshe": "submitted"}
    assert db.session.get(InspectionRecord, record.id).status == "submitted"  # derived: a part still waits
    auth.logout()

    auth.login("office")
    html = publish(client, record).get_data(as_text=True)
    assert "已公示 1 份检查表" in html
    assert statuses(record) == {"jiaoti": "published", "renshe": "submitted"}  # 人社局 holds back only its own
    auth.logout()

    # The 人社局 reviewer's queue shows its part waiting, not 已公示.
    auth.login("rs_review")
    queue = client.get("/review/").get_data(as_text=True)
    assert record.entity.name in queue
    assert f"{RENSHE} 待审核" in queue and f"{JIAOTI} 已公示" in queue
    assert service.waiting_count(service_user("rs_review")) == 1
    auth.logout()
    auth.login("jt_review")
    assert record.entity.name not in client.get("/review/").get_data(as_text=True)  # nothing left for 教体局


def service_user(username):
    from tests.review.joint import user

    return user(username)


def test_a_reviewer_decides_only_their_departments_part(world, client, auth):
    record = joint_record()
    auth.login("rs_review")
    page = client.get(f"/review/records/{record.id}").get_data(as_text=True)
    assert 'id="decide-' in page and page.count('name="department_id"') == 1  # one form: its own part
    response = decide(client, record, "approve", department_code="jiaoti")
    assert response.status_code == 422 and "只能审核本部门的检查事项" in response.get_data(as_text=True)
    assert statuses(record) == {"jiaoti": "submitted", "renshe": "submitted"}
    assert decide(client, record, "approve").status_code == 302
    assert statuses(record) == {"jiaoti": "submitted", "renshe": "approved"}
    assert decide(client, record, "return", "再看看").status_code == 422  # decided once
    event = db.session.scalar(select(ReviewEvent).where(ReviewEvent.record_id == record.id))
    assert event.department.code == "renshe" and event.by.username == "rs_review"


def test_result_categories_are_chosen_per_department_and_shown_so_on_the_public_page(world, client, auth):
    # 教体局 found a problem and ordered it corrected; 人社局's items all passed.
    record = joint_record(failed=("jiaoti",), codes=("corrected",))
    assert part(record, "jiaoti").result_codes == ["corrected"]
    assert part(record, "renshe").result_codes == ["no_problem"]  # nothing failed in its own items
    auth.login("jt_review")
    refused = decide(client, record, "approve", codes=["no_problem"])  # its own point failed
    assert refused.status_code == 422 and "不能选择“未发现问题”" in refused.get_data(as_text=True)
    assert decide(client, record, "approve", codes=["corrected"]).status_code == 302
    auth.logout()
    auth.login("rs_review")
    assert decide(client, record, "approve", codes=["no_problem"]).status_code == 302
    auth.logout()
    auth.login("office")
    publish(client, record)
    auth.logout()
    assert statuses(record) == {"jiaoti": "published", "renshe": "published"}
    assert db.session.get(InspectionRecord, record.id).status == "published"

    html = client.get(f"/public/enterprise/{record.entity.uscc}").get_data(as_text=True)
    jiaoti, renshe = html.index(f'<h3 class="part-name">{JIAOTI}'), html.index(f'<h3 class="part-name">{RENSHE}')
    assert jiaoti < renshe
    assert CORRECTED in html[jiaoti:renshe] and NO_PROBLEM not in html[jiaoti:renshe]
    assert NO_PROBLEM in html[renshe:] and CORRECTED not in html[renshe:]
    assert html.count("检查实施机关") == 2


def test_an_amendment_reopens_only_the_returned_part_and_keeps_the_other_approval(world, client, auth):
    record = joint_record()
    decide_as(auth, client, "jt_review", record, "approve", "教体局事项无误")
    decide_as(auth, client, "rs_review", record, "return", "请补充劳动合同台账的核查情况")
    assert statuses(record) == {"jiaoti": "approved", "renshe": "returned"}
    assert db.session.get(InspectionRecord, record.id).status == "returned"  # the phone: 已退回

    auth.login("jt01")
    task = next(t for t in client.get("/api/field/tasks").get_json()["tasks"] if t["record_id"] == record.id)
    assert task["status"] == "returned"
    assert [(r["comment"], r["department"]) for r in task["returns"]] == [("请补充劳动合同台账的核查情况", RENSHE)]
    assert {p["department"]: p["status"] for p in task["parts"]} == {JIAOTI: "approved", RENSHE: "returned"}
    answer = amend(client, record, "已查阅劳动合同台账，均已签订。", "parts-1")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["status"] == "submitted"
    auth.logout()
    assert statuses(record) == {"jiaoti": "approved", "renshe": "submitted"}  # 教体局's approval stands
    amendment = db.session.scalar(select(Amendment))
    assert amendment.department_ids == [part(record, "renshe").department_id]

    # Each part's history shows it: the amendment in 人社局's, not in 教体局's.
    auth.login("rs_review")
    page = client.get(f"/review/records/{record.id}").get_data(as_text=True)
    renshe = page[page.index('id="part-' + str(part(record, "renshe").department_id)):]
    jiaoti = page[page.index('id="part-' + str(part(record, "jiaoti").department_id)):page.index(
        'id="part-' + str(part(record, "renshe").department_id))]
    assert "已查阅劳动合同台账" in renshe.split("</article>")[0] and "请补充劳动合同台账" in renshe.split("</article>")[0]
    assert "已查阅劳动合同台账" not in jiaoti and "教体局事项无误" in jiaoti
    assert decide(client, record, "approve").status_code == 302
    assert statuses(record) == {"jiaoti": "approved", "renshe": "approved"}
    assert db.session.get(InspectionRecord, record.id).status == "approved"


def test_an_amendment_naming_a_department_reopens_its_approved_part(world, client, auth):
    record = joint_record()
    decide_as(auth, client, "jt_review", record, "approve")
    decide_as(auth, client, "rs_review", record, "return", "请补充")
    auth.login("jt01")
    # Naming both: 教体局's approval is set aside, its reviewer reviews again.
    assert amend(client, record, "补充了两个部门的说明。", "parts-2", ["jiaoti", "renshe"]).status_code == 201
    assert statuses(record) == {"jiaoti": "submitted", "renshe": "submitted"}
    bad = amend(client, record, "再说一句", "parts-3", ["weijian"])
    assert bad.status_code == 409  # not returned any more
    auth.logout()


def test_a_named_department_not_on_the_record_is_refused(world, client, auth):
    record = joint_record()
    decide_as(auth, client, "rs_review", record, "return", "请补充")
    auth.login("jt01")
    bad = amend(client, record, "补充", "parts-4", ["weijian"])
    assert bad.status_code == 422 and "不是该检查表的检查部门" in bad.get_json()["error"]
    assert amend(client, record, "补充", "parts-5", "renshe").status_code == 422  # not a list
    assert statuses(record) == {"jiaoti": "submitted", "renshe": "returned"}


def test_the_office_queue_and_dashboard_show_the_parts_waiting_per_department(world, client, auth):
    a = joint_record()
    joint_record(departments=("weijian",))
    auth.login("jt_review")
    decide(client, a, "approve")
    auth.logout()
    auth.login("office")
    html = client.get("/review/").get_data(as_text=True)
    table = html[html.index('id="per-department"'):html.index("</table>")]
    rows = {name: table[table.index(name):].split("</tr>")[0] for name in (JIAOTI, RENSHE, "莲池区卫健局")}
    cells = {name: [c.split("<")[0] for c in row.split('<td class="n">')[1:]] for name, row in rows.items()}
    assert cells[JIAOTI] == ["0", "0", "1", "0"]  # waiting for review, returned, to publish, published
    assert cells[RENSHE] == ["1", "0", "0", "0"]
    assert cells["莲池区卫健局"] == ["1", "0", "0", "0"]
    dash = client.get(f"/reports/dashboard?plan={a.plan_id}").get_data(as_text=True)
    assert "各部门待办" in dash and '<strong id="records-complete">0</strong>' in dash
    publish(client, a)
    auth.logout()
    auth.login("rs_review")
    decide(client, a, "approve")
    auth.logout()
    auth.login("office")
    publish(client, a)
    dash = client.get(f"/reports/dashboard?plan={a.plan_id}").get_data(as_text=True)
    assert '<strong id="records-complete">1</strong>' in dash  # every part published
    plans = client.get("/publication/").get_data(as_text=True)
    assert "全部部门已公示或撤回（完成）的检查表 <strong>1</strong> 份" in plans
