"""Review: the queue by department, the record page, approve and return, the amendment from the phone."""
import json

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import record_for_review
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review.models import Amendment, ReviewEvent
from webapp.stages.review.service import returns_for


def _decide(client, record, action, comment=""):
    token = csrf_token(client, f"/review/records/{record.id}")
    return client.post(f"/review/records/{record.id}/decision",
                       data={"action": action, "comment": comment, "csrf_token": token})


def _amend(client, record, text, client_id):
    token = csrf_token(client, "/home")
    return client.post(f"/api/field/records/{record.client_uuid}/amendments",
                       data=json.dumps({"text": text, "client_id": client_id}),
                       headers={"X-CSRFToken": token, "Content-Type": "application/json"})


def test_reviewer_of_one_department_cannot_see_another_departments_records(world, client, auth):
    joint = record_for_review(departments=("jiaoti", "renshe"))
    health = record_for_review(departments=("weijian",))
    auth.login("rs_review")
    html = client.get("/review/").get_data(as_text=True)
    assert joint.entity.name in html
    assert health.entity.name not in html
    assert client.get(f"/review/records/{health.id}").status_code == 403
    assert _decide(client, health, "approve").status_code == 403
    assert client.get(f"/reports/records/{health.id}/print").status_code == 403
    assert client.get(f"/reports/records/{health.id}/pdf").status_code == 403
    media_id = health.media[0].id
    assert client.get(f"/media/{media_id}/thumb").status_code == 403
    assert db.session.get(InspectionRecord, health.id).status == "submitted"


def test_office_sees_every_department_and_inspectors_see_no_queue(world, client, auth):
    joint = record_for_review(departments=("jiaoti", "renshe"))
    health = record_for_review(departments=("weijian",))
    auth.login("office")
    html = client.get("/review/").get_data(as_text=True)
    assert joint.entity.name in html and health.entity.name in html
    auth.logout()
    auth.login("jt01")
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/records/{joint.id}").status_code == 403


def test_queue_filters_late_refused_and_problems(world, client, auth):
    plain = record_for_review(departments=("jiaoti",))
    late = record_for_review(departments=("jiaoti",), late=True)
    refused = record_for_review(departments=("jiaoti",), refused=True)
    problem = record_for_review(departments=("jiaoti",), codes=("follow_up",), fail=True)
    approved = record_for_review(departments=("jiaoti",), status="approved")
    auth.login("jt_review")

    def names(f):
        html = client.get(f"/review/?f={f}").get_data(as_text=True)
        return {r.entity.name for r in (plain, late, refused, problem, approved) if r.entity.name in html}

    assert names("waiting") == {plain.entity.name, late.entity.name, refused.entity.name, problem.entity.name}
    assert names("late") == {late.entity.name}
    assert names("refused") == {refused.entity.name}
    assert names("problems") == {problem.entity.name}
    assert approved.entity.name in names("all")


def test_record_page_shows_findings_photos_signature_checkin_hash_and_history(world, client, auth):
    record = record_for_review(departments=("jiaoti", "renshe"), codes=("corrected",), fail=True, photos=2)
    refused = record_for_review(departments=("jiaoti",), refused=True)
    auth.login("jt_review")
    html = client.get(f"/review/records/{record.id}").get_data(as_text=True)
    photo = next(m for m in record.media if m.kind == "photo")
    assert f'href="/media/{photo.id}"' in html and f'src="/media/{photo.id}/thumb"' in html
    signature = next(m for m in record.media if m.kind == "signature")
    assert f"/media/{signature.id}/thumb" in html
    assert "发现问题已责令改正" in html and "不符合" in html and "消防通道被杂物堵塞" in html
    assert "莲池区教育和体育局" in html and "莲池区人社局" in html
    assert record.findings_hash in html and "与签名时一致" in html
    assert "38.87390" in html and "115.46460" in html
    for m in record.members:
        assert m.inspector.certificate_no in html
    assert client.get(f"/media/{photo.id}/thumb").status_code == 200
    html = client.get(f"/review/records/{refused.id}").get_data(as_text=True)
    assert "拒绝签字" in html and refused.refusal_note in html


def test_a_tampered_record_shows_the_hash_mismatch(world, client, auth):
    record = record_for_review(departments=("jiaoti",))
    record.result_codes = ["corrected"]
    db.session.commit()
    auth.login("jt_review")
    assert "校验不一致" in client.get(f"/review/records/{record.id}").get_data(as_text=True)


def test_approve_is_audited_and_leaves_findings_untouched(world, client, auth):
    record = record_for_review(departments=("jiaoti",))
    before = (json.dumps(record.findings, sort_keys=True), record.findings_hash)
    auth.login("jt_review")
    response = _decide(client, record, "approve", "材料齐全")
    assert response.status_code == 302
    db.session.expire_all()
    record = db.session.get(InspectionRecord, record.id)
    assert record.status == "approved"
    assert (json.dumps(record.findings, sort_keys=True), record.findings_hash) == before
    event = db.session.scalar(select(ReviewEvent).where(ReviewEvent.record_id == record.id))
    assert event.action == "approve" and event.by.username == "jt_review" and event.comment == "材料齐全"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.approve"))
    assert audit.object_id == str(record.id) and audit.detail["status_to"] == "approved"
    # An approved record is decided once.
    assert _decide(client, record, "return", "再看看").status_code == 422


def test_return_needs_a_comment_and_is_audited(world, client, auth):
    record = record_for_review(departments=("jiaoti", "renshe"))
    auth.login("rs_review")
    response = _decide(client, record, "return", "   ")
    assert response.status_code == 422
    assert "退回时必须填写退回意见" in response.get_data(as_text=True)
    assert db.session.get(InspectionRecord, record.id).status == "submitted"

    assert _decide(client, record, "return", "请补充消防通道整改照片").status_code == 302
    db.session.expire_all()
    record = db.session.get(InspectionRecord, record.id)
    assert record.status == "returned"
    assert [(r["comment"], r["by"]) for r in returns_for(record)] == [("请补充消防通道整改照片", "人社局审核人")]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.return")) is not None



def test_amendment_comes_back_without_touching_the_signed_findings(world, client, auth):
    record = record_for_review(departments=("jiaoti",))
    signed = (json.dumps(record.findings, sort_keys=True), record.findings_hash, record.signature_sha)
    auth.login("jt_review")
    _decide(client, record, "return", "请说明整改期限")
    auth.logout()

    auth.login("jt02")
    first = _amend(client, record, "已责令七日内整改，2023年6月20日复查。", "amend-1")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "submitted"
    replay = _amend(client, record, "已责令七日内整改，2023年6月20日复查。", "amend-1")
    assert replay.status_code == 200 and replay.get_json()["amendment_id"] == first.get_json()["amendment_id"]
    assert _amend(client, record, "另一段文字", "amend-1").status_code == 409
    assert _amend(client, record, "再补充一句", "amend-2").status_code == 409  # not returned any more
    assert db.session.scalar(select(db.func.count()).select_from(Amendment)) == 1
    auth.logout()
    # A teammate's phone gets the answer with its tasks (Task.amendments), whoever sent it.
    auth.login("jt01")
    task = next(t for t in client.get("/api/field/tasks").get_json()["tasks"] if t["record_id"] == record.id)
    assert [(a["text"], a["client_id"]) for a in task["amendments"]] == [("已责令七日内整改，2023年6月20日复查。", "amend-1")]
    assert task["amendments"][0]["by"] and task["amendments"][0]["at"]

    db.session.expire_all()
    record = db.session.get(InspectionRecord, record.id)
    assert record.status == "submitted"
    assert (json.dumps(record.findings, sort_keys=True), record.findings_hash, record.signature_sha) == signed
    auth.logout()
    auth.login("jt_review")
    html = client.get(f"/review/records/{record.id}").get_data(as_text=True)
    assert "已责令七日内整改" in html and "请说明整改期限" in html and "与签名时一致" in html


def test_amendment_only_from_the_team_and_signed_in(world, client, auth):
    record = record_for_review(departments=("jiaoti",))
    record.status = "returned"
    db.session.commit()
    # An expired session hears "sign in again" before anything else, even without a CSRF token.
    anonymous = client.post(f"/api/field/records/{record.client_uuid}/amendments", json={"text": "x", "client_id": "a"})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "请重新登录"
    auth.login("rs01")  # an inspector, not on this team
    assert _amend(client, record, "我来补充", "b").status_code == 404
    auth.logout()
    auth.login("jt01")
    empty = _amend(client, record, "  ", "c")
    assert empty.status_code == 422 and "补充说明不能为空" in empty.get_json()["error"]
    no_csrf = client.post(f"/api/field/records/{record.client_uuid}/amendments", json={"text": "x", "client_id": "d"})
    assert no_csrf.status_code == 400 and no_csrf.get_json()["csrf"] is True
    assert db.session.get(InspectionRecord, record.id).status == "returned"


def test_home_shows_the_reviewers_queue_count(world, client, auth):
    record_for_review(departments=("jiaoti",))
    record_for_review(departments=("jiaoti",))
    record_for_review(departments=("weijian",))
    auth.login("jt_review")
    html = client.get("/home").get_data(as_text=True)
    assert '<strong id="review-waiting">2</strong>' in html
    assert "审核队列" in html


def test_decisions_need_the_csrf_token(world, client, auth):
    record = record_for_review(departments=("jiaoti",))
    auth.login("jt_review")
    response = client.post(f"/review/records/{record.id}/decision", data={"action": "approve"})
    assert response.status_code == 400
    assert db.session.get(InspectionRecord, record.id).status == "submitted"
