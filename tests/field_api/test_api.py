"""The sync API as a phone uses it, against the real database and real image files."""
import io
import uuid
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import func, select

from tests import factories
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.domain import findings as rules
from webapp.stages.field.models import FieldSubmission
from webapp.stages.field.tasks import today_in_china
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.records import deadlines
from webapp.stages.records.media import thumbnail_key
from webapp.stages.records.models import InspectionRecord, Media

from .conftest import full_findings, jpeg_with_exif, sha, signature_png, submission
from .test_imaging import png_declaring


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- session, sign-in, CSRF -------------------------------------------------------------------------------

def test_without_a_session_the_api_answers_401_json_never_a_redirect(client, dispatched):
    for method, url in (("get", "/api/field/tasks"), ("get", "/api/field/session"),
                        ("put", f"/api/field/records/{uuid.uuid4()}"), ("post", "/api/field/media/1")):
        response = getattr(client, method)(url)
        assert response.status_code == 401
        assert response.get_json() == {"error": "请重新登录", "login": "/login?next=/field/"}


def test_an_expired_session_gets_401_not_a_csrf_error(phone, dispatched):
    phone.login("jt01")
    token = phone.token
    phone.logout()
    phone.token = token  # the phone still holds its old token
    response = phone.put(submission(dispatched.record))
    assert response.status_code == 401
    assert response.get_json()["login"] == "/login?next=/field/"


def test_session_gives_the_user_and_a_csrf_token(phone, dispatched):
    phone.login("jt01")
    body = phone.client.get("/api/field/session").get_json()
    assert body["user"]["username"] == "jt01"
    assert body["user"]["department"] == "莲池区教育和体育局"
    assert body["user"]["certificate_no"] == dispatched.record.members[0].inspector.certificate_no
    assert body["csrf_token"] and body["server_time"]


def test_a_put_without_the_csrf_header_is_refused(phone, dispatched):
    phone.login("jt01")
    phone.token = None
    response = phone.put(submission(dispatched.record, signature="a" * 64))
    assert response.status_code == 400
    assert response.get_json()["csrf"] is True
    assert "CSRF" in response.get_json()["error"]
    assert count(FieldSubmission) == 0


def test_api_answers_are_never_cached(phone, dispatched):
    phone.login("jt01")
    assert phone.tasks().headers["Cache-Control"] == "no-store"


def test_the_task_list_travels_gzipped_to_a_phone_that_accepts_it(phone, dispatched):
    import gzip
    import json

    for entity in factories.directory_entities(6, offset=2):  # an inspector's list of a plan: several tasks
        factories.dispatched(dispatched.plan, entity, ("jt01", "rs01"))
    phone.login("jt01")
    plain = phone.tasks()
    assert len(plain.get_json()["tasks"]) == 7
    assert "Content-Encoding" not in plain.headers
    packed = phone.client.get("/api/field/tasks", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert len(packed.data) * 5 < len(plain.data)


# --- tasks -------------------------------------------------------------------------------------------------

def test_tasks_carry_everything_needed_offline(phone, dispatched):
    phone.login("jt01")
    body = phone.tasks().get_json()
    ids = [t["record_id"] for t in body["tasks"]]
    assert dispatched.record.id in ids and dispatched.other.id not in ids
    task = next(t for t in body["tasks"] if t["record_id"] == dispatched.record.id)
    record = dispatched.record
    assert task["status"] == "dispatched" and task["server_hash"] is None and task["client_uuid"] is None
    assert task["entity"] == {
        "uscc": record.entity.uscc, "name": record.entity.name, "address": record.entity.address,
        "legal_rep": record.entity.legal_rep, "checkin_token": record.entity.checkin_token,
    }
    assert task["plan"]["entry_days"] == 5 and task["plan"]["doc_number"] == dispatched.plan.doc_number
    assert [d["name"] for d in task["departments"]] == ["莲池区教育和体育局", "莲池区人社局", "莲池区卫健局"]
    first = task["departments"][0]["items"][0]
    assert first["title"] == "学校安全工作检查"
    assert first["methods"] == ["document", "onsite"]
    assert first["check_points"][0] == "消防设施、器材配备齐全有效，疏散通道、安全出口畅通"
    assert sum(len(d["items"]) for d in task["departments"]) == 14
    leader = task["team"][0]
    assert leader["is_leader"] and leader["kind"] == "drawn" and leader["department"] == "莲池区教育和体育局"
    assert {m["kind"] for m in task["team"]} == {"drawn", "expert"}
    assert task["returns"] == [] and task["sync_due"] is None and task["late"] is False
    assert body["result_categories"]["no_problem"] == "未发现问题"
    assert body["item_results"] == {"pass": "符合", "fail": "不符合", "na": "不涉及"}
    assert body["methods"]["onsite"] == "实地核查"
    assert "corrected" in body["dispositions"] and "not_disclosed" in body["problems"]


def test_the_appointed_expert_sees_the_task_a_reviewer_and_the_office_see_none(phone, dispatched):
    assert dispatched.record.id in [t["record_id"] for t in phone.login("jt_expert").tasks().get_json()["tasks"]]
    phone.logout()
    assert phone.login("jt_review").tasks().get_json()["tasks"] == []
    phone.logout()
    assert phone.login("office").tasks().get_json()["tasks"] == []


# --- media -------------------------------------------------------------------------------------------------

def test_upload_resumes_by_sha_and_replays_are_harmless(phone, dispatched):
    phone.login("jt01")
    record_id = dispatched.record.id
    photo = jpeg_with_exif()
    assert phone.has(record_id, sha(photo)).status_code == 404

    first = phone.upload(record_id, photo, captured_at="2026-11-20T10:11:12+08:00")
    assert first.status_code == 201, first.get_json()
    assert first.get_json() == {"sha256": sha(photo), "media_id": first.get_json()["media_id"]}
    assert phone.has(record_id, sha(photo)).get_json() == first.get_json()
    for _ in range(2):
        again = phone.upload(record_id, photo)
        assert again.status_code == 200 and again.get_json() == first.get_json()
    assert count(Media) == 1
    assert count(AuditEvent, AuditEvent.action == "field.media_uploaded") == 1


def test_stored_photo_has_no_exif_but_the_capture_metadata_is_kept(phone, dispatched):
    phone.login("jt01")
    photo = jpeg_with_exif(size=(640, 480), orientation=6)
    media_id = phone.upload(dispatched.record.id, photo, captured_at="2026-11-20T10:11:12+08:00").get_json()["media_id"]
    media = db.session.get(Media, media_id)
    assert media.sha256 == sha(photo) and media.stored_sha != media.sha256
    stored = storage().read(media.stored_sha)
    assert sha(stored) == media.stored_sha  # content-addressed
    assert b"Exif" not in stored and b"Xiaomi" not in stored
    with Image.open(io.BytesIO(stored)) as im:
        assert not im.getexif() and im.size == (480, 640)
    assert (media.width, media.height, media.content_type, media.size) == (480, 640, "image/jpeg", len(stored))
    assert media.meta["exif"]["gps"] == {"lat": 38.8695833, "lng": 115.475}
    assert media.meta["original"]["sha256"] == sha(photo)
    assert media.captured_at is not None
    assert storage().exists(thumbnail_key(media.sha256))
    # The media views serve the cleaned file and its thumbnail to the team.
    served = phone.client.get(f"/media/{media_id}")
    assert served.status_code == 200 and served.data == stored
    thumb = phone.client.get(f"/media/{media_id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"


def test_a_text_file_renamed_jpg_gets_a_clear_chinese_error(phone, dispatched):
    phone.login("jt01")
    text = "检查记录：一切正常。\n".encode() * 50
    response = phone.upload(dispatched.record.id, text, filename="photo.jpg")
    assert response.status_code == 415
    assert response.get_json()["error"] == "上传的文件不是 JPEG 或 PNG 图片，已拒收。"
    assert count(Media) == 0


def test_a_decompression_bomb_is_refused(phone, dispatched):
    phone.login("jt01")
    response = phone.upload(dispatched.record.id, png_declaring(20000, 20000), filename="bomb.png")
    assert response.status_code == 413
    assert "像素过多" in response.get_json()["error"]
    assert count(Media) == 0


def test_bytes_that_do_not_match_their_hash_are_refused(phone, dispatched):
    phone.login("jt01")
    photo = jpeg_with_exif()
    response = phone.upload(dispatched.record.id, photo[:-100], digest=sha(photo))
    assert response.status_code == 422
    assert response.get_json()["error"] == "文件校验值不符，上传可能不完整，请重试。"
    response = phone.upload(dispatched.record.id, photo, kind="selfie")
    assert response.status_code == 422 and "图片类别" in response.get_json()["error"]


def test_another_inspector_cannot_see_or_upload_to_the_record(phone, dispatched):
    phone.login("jt01")
    photo = jpeg_with_exif()
    assert phone.upload(dispatched.other.id, photo).status_code == 404
    assert phone.has(dispatched.other.id, sha(photo)).status_code == 404
    media_id = phone.upload(dispatched.record.id, photo).get_json()["media_id"]
    phone.logout()
    phone.login("jt_review")
    assert phone.has(dispatched.record.id, sha(photo)).status_code == 404
    assert phone.upload(dispatched.record.id, photo).status_code == 404
    # Never written by a reviewer; and before submission an upload is the team's work in progress, not part of
    # any record: reviewers read media only as the signed record names them (tests/field_api/test_signed_media.py).
    assert phone.client.get(f"/media/{media_id}").status_code == 404


# --- the record --------------------------------------------------------------------------------------------

def _signed(phone, record):
    signature = signature_png()
    assert phone.upload(record.id, signature, kind="signature", filename="signature.png").status_code == 201
    return sha(signature)


def test_a_signed_record_is_stored_once_and_replays_get_the_same_answer(phone, dispatched):
    phone.login("jt01")
    record = dispatched.record
    photo = jpeg_with_exif()
    assert phone.upload(record.id, photo).status_code == 201
    findings = full_findings(record, photos=[sha(photo)])
    body = submission(record, findings=findings, signature=_signed(phone, record))
    client_uuid = str(uuid.uuid4())

    first = phone.put(body, client_uuid)
    assert first.status_code == 201, first.get_json()
    answer = first.get_json()
    inspected_on = today_in_china()
    due = current_calendar().add_workdays(inspected_on, 5)
    assert answer == {"status": "stored", "findings_hash": body["findings_hash"], "sync_due": due.due.isoformat(),
                      "due_provisional": due.provisional, "late": False}
    for _ in range(3):
        replay = phone.put(body, client_uuid)
        assert replay.status_code == 200 and replay.get_json() == answer

    db.session.expire_all()
    record = db.session.get(InspectionRecord, record.id)
    assert record.status == "submitted" and record.client_uuid == client_uuid
    assert record.findings == findings and record.findings_hash == rules.findings_hash(findings, ["no_problem"])
    assert record.signature_sha == body["signature_sha"] and not record.refused
    assert record.submitted_by_id is not None and record.submitted_at is not None
    assert record.inspected_on == inspected_on and record.sync_due == due.due and not record.late
    assert (record.checkin_lat, record.checkin_lng, record.checkin_accuracy) == (38.8695, 115.475, 12.5)
    assert count(FieldSubmission) == 1
    assert db.session.scalar(select(FieldSubmission.replays)) == 3
    assert count(AuditEvent, AuditEvent.action == "field.record_submitted") == 1

    task = next(t for t in phone.tasks().get_json()["tasks"] if t["record_id"] == record.id)
    assert task["status"] == "submitted" and task["server_hash"] == body["findings_hash"]
    assert task["client_uuid"] == client_uuid and task["sync_due"] == due.due.isoformat()


def test_a_put_follows_a_calendar_change_made_after_the_last_put(phone, dispatched, world):
    """Each process keeps the working-day calendar and reads it again only when the override table's content (read
    with the record) has changed: a day made a holiday after one PUT moves the deadline of the next."""
    phone.login("jt01")
    first = phone.put(submission(dispatched.record, signature=_signed(phone, dispatched.record)))
    assert first.status_code == 201, first.get_json()
    before = date.fromisoformat(first.get_json()["sync_due"])
    today = today_in_china()
    workday = next(today + timedelta(days=n) for n in range(1, 30) if current_calendar().is_workday(
        today + timedelta(days=n))[0])
    deadlines.set_override(workday, False, "测试：临时调休")
    db.session.commit()
    other = factories.dispatched(world.current, factories.entities(1)[0], ("jt01", "rs01"))
    db.session.commit()
    second = phone.put(submission(other, signature=_signed(phone, other)))
    assert second.status_code == 201, second.get_json()
    after = date.fromisoformat(second.get_json()["sync_due"])
    assert after == current_calendar().add_workdays(today, 5).due and after > before


def test_different_content_under_the_same_uuid_is_a_conflict(phone, dispatched):
    phone.login("jt01")
    record = dispatched.record
    body = submission(record, signature=_signed(phone, record))
    client_uuid = str(uuid.uuid4())
    assert phone.put(body, client_uuid).status_code == 201
    changed = dict(body, checkin=None)
    response = phone.put(changed, client_uuid)
    assert response.status_code == 409
    assert response.get_json()["server_hash"] == body["findings_hash"]
    assert "不同的内容" in response.get_json()["error"]


def test_a_second_uuid_for_a_submitted_record_is_a_conflict(phone, dispatched):
    phone.login("jt01")
    record = dispatched.record
    body = submission(record, signature=_signed(phone, record))
    assert phone.put(body).status_code == 201
    phone.logout()
    phone.login("jt02")  # the other phone of the team sends its own version
    response = phone.put(body)
    assert response.status_code == 409
    assert response.get_json()["server_hash"] == body["findings_hash"]
    assert count(FieldSubmission) == 1


def test_a_returned_record_accepts_no_new_findings(phone, dispatched):
    dispatched.record.status = "returned"
    db.session.commit()
    phone.login("jt01")
    body = submission(dispatched.record, signature="a" * 64)
    response = phone.put(body)
    assert response.status_code == 409
    assert "退回" in response.get_json()["error"]


def test_media_not_yet_uploaded_are_listed(phone, dispatched):
    phone.login("jt01")
    record = dispatched.record
    photo, signature = jpeg_with_exif(), signature_png()
    body = submission(record, findings=full_findings(record, photos=[sha(photo)]), signature=sha(signature))
    response = phone.put(body)
    assert response.status_code == 422
    assert sorted(response.get_json()["missing_media"]) == sorted([sha(photo), sha(signature)])
    assert "未上传" in response.get_json()["error"]
    assert phone.upload(record.id, photo).status_code == 201
    assert phone.put(body).get_json()["missing_media"] == [sha(signature)]
    assert phone.upload(record.id, signature, kind="signature").status_code == 201
    assert phone.put(body).status_code == 201
    # Once submitted, the record takes no new media; what is there still answers a replay.
    assert phone.upload(record.id, jpeg_with_exif(colour=(0, 0, 200))).status_code == 409
    assert phone.upload(record.id, photo).status_code == 200


def test_rule_violations_get_chinese_messages_and_store_nothing(phone, dispatched):
    phone.login("jt01")
    record = dispatched.record
    signature = _signed(phone, record)
    findings = full_findings(record, result="fail", codes=("no_problem",))
    response = phone.put(submission(record, findings=findings, signature=signature))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "有检查项为“不符合”，不能选择“未发现问题”。" in errors
    assert any("为不符合，须填写说明" in e for e in errors)
    assert response.get_json()["error"].startswith("记录有")

    bad_hash = submission(record, signature=signature)
    bad_hash["findings_hash"] = "0" * 64
    response = phone.put(bad_hash)
    assert response.status_code == 422 and "校验值与内容不一致" in response.get_json()["error"]

    neither = submission(record)
    assert "须由法定代表人（负责人）签字，或如实记录拒绝签字的情况。" in phone.put(neither).get_json()["errors"]
    future = submission(record, signature=signature, inspected_on=today_in_china() + timedelta(days=2))
    assert phone.put(future).get_json()["error"] == "检查日期不能晚于今天。"
    assert phone.client.put("/api/field/records/not-a-uuid", json=neither, headers=phone.headers()).status_code == 422
    assert count(FieldSubmission) == 0
    assert db.session.get(InspectionRecord, record.id).status == "dispatched"


def test_problems_found_with_a_disposition_are_accepted(phone, dispatched):
    phone.login("jt01")
    record = dispatched.record
    codes = ("not_disclosed", "follow_up")
    findings = full_findings(record, result="fail", note="收费标准未公示", codes=codes)
    response = phone.put(submission(record, findings=findings, codes=codes, signature=_signed(phone, record)))
    assert response.status_code == 201, response.get_json()
    assert db.session.get(InspectionRecord, record.id).result_codes == ["follow_up", "not_disclosed"]


def test_a_refusal_confirmed_by_two_officers_is_recorded(phone, dispatched):
    phone.login("jt01")
    record = dispatched.record
    evidence = jpeg_with_exif(colour=(20, 120, 20))
    assert phone.upload(record.id, evidence, kind="evidence").status_code == 201
    certificates = [m.inspector.certificate_no for m in record.members[:2]]
    refusal = {"note": "法定代表人拒绝在检查记录上签字，经两名执法人员确认。", "confirmed_by": certificates,
               "evidence": [sha(evidence)]}
    response = phone.put(submission(record, refusal=refusal))
    assert response.status_code == 201, response.get_json()
    stored = db.session.get(InspectionRecord, record.id)
    assert stored.refused and stored.refusal_note == refusal["note"] and stored.signature_sha is None
    assert db.session.scalar(select(FieldSubmission.body))["refusal"]["confirmed_by"] == certificates


def test_a_late_record_is_accepted_and_flagged(phone, dispatched):
    plan = dispatched.plan
    plan.window_start = date(2026, 1, 5)
    db.session.commit()
    phone.login("jt01")
    inspected = date(2026, 3, 2)
    response = phone.put(submission(dispatched.record, signature=_signed(phone, dispatched.record),
                                    inspected_on=inspected))
    assert response.status_code == 201
    assert response.get_json()["late"] is True
    assert response.get_json()["sync_due"] == "2026-03-09"  # five working days after Monday 2 March 2026
    record = db.session.get(InspectionRecord, dispatched.record.id)
    assert record.late and record.sync_due == date(2026, 3, 9)


def test_only_team_members_submit(phone, dispatched):
    body = submission(dispatched.other, signature="a" * 64)
    for username in ("jt01", "jt_review", "office"):
        phone.login(username)
        response = phone.put(body)
        assert response.status_code == 404, username
        assert response.get_json()["error"] == "任务不存在或您不在该检查组中。"
        phone.logout()
    phone.login("jt_review")
    response = phone.put(submission(dispatched.record, signature="a" * 64))
    assert response.status_code == 404


def test_the_appointed_expert_can_submit(phone, dispatched):
    phone.login("jt_expert")
    record = dispatched.record
    response = phone.put(submission(record, signature=_signed(phone, record)))
    assert response.status_code == 201, response.get_json()
