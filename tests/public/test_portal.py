"""The public portal and /v/<token>: what anyone may see, and nothing private."""
import pytest
from sqlalchemy import select

from tests.factories import approved_record, current_plan, directory_entities, old_plan, private_strings
from webapp.core.extensions import db
from webapp.stages.publication import publishing
from webapp.stages.records.models import InspectionRecord


def _published(plan, entity, **kw):
    record = approved_record(plan, entity, **kw)
    publishing.publish([record])
    db.session.commit()
    return record


def _assert_private_absent(html, record):
    for secret in private_strings(record):
        assert secret not in html, f"private data on a public page: {secret}"
    for m in record.members:  # the portal names departments, not people
        assert m.inspector.name not in html
        assert m.inspector.certificate_no not in html


def test_search_by_name_finds_only_published_enterprises(world, client):
    plan = current_plan()
    published_entity, pending_entity = directory_entities(2)
    _published(plan, published_entity)
    approved_record(plan, pending_entity)  # approved, not yet published
    word = published_entity.name[:4]
    html = client.get("/public/", query_string={"q": word}).get_data(as_text=True)
    assert published_entity.name in html
    html = client.get("/public/", query_string={"q": pending_entity.name}).get_data(as_text=True)
    assert f"/public/enterprise/{pending_entity.uscc}" not in html
    assert "没有找到" in html


def test_search_by_uscc_prefix_in_lower_case(world, client):
    entity = directory_entities(1)[0]
    _published(current_plan(), entity)
    html = client.get("/public/", query_string={"q": entity.uscc[:10].lower()}).get_data(as_text=True)
    assert entity.name in html and f"/public/enterprise/{entity.uscc}" in html


def test_search_wildcards_are_taken_literally(world, client):
    _published(current_plan(), directory_entities(1)[0])
    html = client.get("/public/", query_string={"q": "%"}).get_data(as_text=True)
    assert "没有找到与“%”相关" in html


def test_enterprise_page_lists_every_published_result_and_leaks_nothing(world, client):
    entity = directory_entities(1)[0]
    entity.legal_rep = "王法人"
    db.session.commit()
    first = _published(old_plan(), entity, codes=["corrected", "not_disclosed"])
    second = _published(current_plan(), entity, codes=["follow_up"], failed=["weijian"])
    response = client.get(f"/public/enterprise/{entity.uscc}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for plan in (first.plan, second.plan):
        assert plan.title in html and plan.doc_number in html
    assert "未按规定公示应当公示的信息" in html and "发现问题已责令改正" in html and "发现问题待后续处理" in html
    assert "莲池区卫健局" in html and "处理中" in html  # the follow-up status
    assert first.inspected_on.strftime("%Y年%m月%d日") in html
    _assert_private_absent(html, first)
    _assert_private_absent(html, second)


def test_enterprise_without_published_results_is_not_found(world, client):
    entity = directory_entities(1)[0]
    approved_record(current_plan(), entity)
    response = client.get(f"/public/enterprise/{entity.uscc}")
    assert response.status_code == 404 and "未找到该单位的公示结果" in response.get_data(as_text=True)


def test_verification_shows_genuine_record_to_the_public_without_private_data(world, client):
    record = _published(current_plan(), directory_entities(1)[0], codes=["follow_up"], failed=["renshe"])
    html = client.get(f"/v/{record.token}").get_data(as_text=True)
    assert "真实有效的检查记录" in html
    assert record.entity.name in html and record.plan.title in html and "已公示" in html
    assert "莲池区教育和体育局" in html and "莲池区人社局" in html
    assert record.inspected_on.isoformat() in html
    _assert_private_absent(html, record)


def test_verification_of_an_unpublished_record_shows_status_but_not_results(world, client):
    record = approved_record(current_plan(), directory_entities(1)[0], status="submitted", codes=["follow_up"], failed=["jiaoti"])
    html = client.get(f"/v/{record.token}").get_data(as_text=True)
    assert "真实有效的检查记录" in html and "待审核" in html
    assert "发现问题待后续处理" not in html
    _assert_private_absent(html, record)


def test_unknown_token_is_a_404_saying_not_genuine(world, client):
    response = client.get("/v/forged-token-123")
    assert response.status_code == 404
    assert "不是真实的检查记录" in response.get_data(as_text=True)


def test_database_id_is_not_a_token(world, client):
    record = approved_record(current_plan(), directory_entities(1)[0])
    assert client.get(f"/v/{record.id}").status_code == 404


@pytest.mark.parametrize("username, view, target", [
    ("jt_review", "review.record", "/review/records/{id}"),        # a reviewer of a department on the team
    ("rs01", "reports.record_print", "/reports/records/{id}/print"),  # a member of the team
])
def test_the_team_and_its_reviewers_are_taken_to_the_full_record(world, client, auth, app, username, view, target):
    record = _published(current_plan(), directory_entities(1)[0], team=("jt01", "rs01"))
    auth.login(username)
    response = client.get(f"/v/{record.token}")
    if view in app.view_functions:
        assert response.status_code == 302
        assert response.headers["Location"].endswith(target.format(id=record.id))
    else:  # that area not installed: the public page is all there is
        assert response.status_code == 200


def test_reviewer_of_a_department_not_on_the_team_sees_only_the_public_page(world, client, auth):
    record = _published(current_plan(), directory_entities(1)[0], team=("jt01", "jt02"))
    auth.login("wj_review")
    response = client.get(f"/v/{record.token}")
    assert response.status_code == 200
    _assert_private_absent(response.get_data(as_text=True), record)


def test_office_is_redirected_when_review_is_installed(world, client, auth, app):
    record = _published(current_plan(), directory_entities(1)[0])
    auth.login("office")
    response = client.get(f"/v/{record.token}")
    if "review.record" in app.view_functions:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
    assert db.session.scalar(select(InspectionRecord.status).where(InspectionRecord.id == record.id)) == "published"


def test_inspector_not_on_the_team_sees_only_the_public_page(world, client, auth):
    record = _published(current_plan(), directory_entities(1)[0], team=("jt01", "rs01"))
    auth.login("wj01")
    response = client.get(f"/v/{record.token}")
    assert response.status_code == 200 and "真实有效的检查记录" in response.get_data(as_text=True)
