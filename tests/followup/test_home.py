"""Home pages point at what waits: approved records to publish (office), open follow-ups (department admin)."""
from tests.factories import approved_record, current_plan, directory_entities
from webapp.core.extensions import db
from webapp.stages.publication import publishing


def test_office_home_shows_records_waiting_for_publication_with_the_deadline(world, client, auth):
    plan = current_plan()
    for e in directory_entities(2):
        approved_record(plan, e)
    auth.login("office")
    html = client.get("/home").get_data(as_text=True)
    assert f"待公示 {2 * len(plan.departments)} 项：{plan.doc_number}" in html  # a part per department of the checklist
    assert publishing.publication_deadline(plan).due.isoformat() in html


def test_department_admin_home_counts_its_open_follow_ups_only(world, client, auth):
    record = approved_record(current_plan(), directory_entities(1)[0], codes=["follow_up"], failed=["weijian"])
    publishing.publish([record])
    db.session.commit()
    auth.login("wj_admin")
    assert "后续监管：1 项办理中" in client.get("/home").get_data(as_text=True)
    auth.logout()
    auth.login("jt_admin")
    assert "后续监管" not in client.get("/home").get_data(as_text=True).split("部门管理员 · 待办")[1]
