"""/field/import (issue 16 §3): an exported outbox file replayed through the phone's idempotent path. The file is
built as static/field/export.js builds it (tests/field/browser/test_export_import.py makes a real one)."""
import base64
import io
import json
import re
import uuid

from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.field_api.conftest import jpeg_with_exif, sha, signature_png, submission
from webapp.core.extensions import db
from webapp.domain.status import RecordStatus
from webapp.stages.field.models import FieldSubmission
from webapp.stages.records.models import InspectionRecord, Media


def export_file(record, user, photo: bytes, signature: bytes, client_uuid: str) -> bytes:
    findings_photo = sha(photo)
    body = submission(record, signature=sha(signature))
    body["findings"]["departments"][0]["items"][0]["points"][0]["photos"] = [findings_photo]
    from webapp.domain import findings as rules

    body["findings_hash"] = rules.findings_hash(body["findings"], body["result_codes"])
    media = [
        {"sha256": findings_photo, "kind": "photo", "type": "image/jpeg", "captured_at": None,
         "data": base64.b64encode(photo).decode()},
        {"sha256": sha(signature), "kind": "signature", "type": "image/png", "captured_at": None,
         "data": base64.b64encode(signature).decode()},
    ]
    data = {
        "format": "spotcheck-field-outbox", "version": 1, "exported_at": "2026-12-02T08:00:00+08:00",
        "user": {"id": user.id, "username": user.username, "full_name": user.full_name},
        "records": [{"record_id": record.id, "client_uuid": client_uuid, "queued_at": "2026-12-01T10:00:00Z",
                     "payload": body, "media": media}],
        "amendments": [],
    }
    return json.dumps(data, ensure_ascii=False).encode()


def post_file(client, raw: bytes, name="outbox.json"):
    return client.post("/field/import", data={"csrf_token": csrf_token(client, "/field/import"),
                                              "file": (io.BytesIO(raw), name)}, content_type="multipart/form-data")


def counts(record):
    db.session.expire_all()
    media = db.session.scalar(select(func.count()).select_from(Media).where(Media.record_id == record.id))
    subs = db.session.scalar(select(func.count()).select_from(FieldSubmission))
    return media, subs


def test_importing_an_exported_file_submits_the_record_once(dispatched, client, auth):
    record = dispatched.record
    jt01 = next(m.inspector.user for m in record.members if m.inspector.user.username == "jt01")
    client_uuid = str(uuid.uuid4())
    raw = export_file(record, jt01, jpeg_with_exif(), signature_png(), client_uuid)
    auth.login("jt01")
    page = client.get("/field/import")
    assert page.status_code == 200 and "导入待同步数据" in page.get_data(as_text=True)

    first = post_file(client, raw)
    assert first.status_code == 200
    assert "已导入并提交" in first.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(InspectionRecord, record.id)
    assert row.status == RecordStatus.SUBMITTED and row.client_uuid == client_uuid
    assert row.findings_hash == json.loads(raw)["records"][0]["payload"]["findings_hash"]
    after_first = counts(record)
    assert after_first[0] == 2

    again = post_file(client, raw)
    assert again.status_code == 200
    assert "未重复创建" in again.get_data(as_text=True)
    assert counts(record) == after_first


def test_another_inspectors_file_is_refused_whole(dispatched, client, auth):
    record = dispatched.record
    jt01 = next(m.inspector.user for m in record.members if m.inspector.user.username == "jt01")
    raw = export_file(record, jt01, jpeg_with_exif(), signature_png(), str(uuid.uuid4()))
    before = counts(record)
    auth.login("jt02")  # on the same team, but the file is jt01's
    refused = post_file(client, raw)
    assert refused.status_code == 422
    assert re.search(r"导出的待同步数据，只能由本人登录后导入", refused.get_data(as_text=True))
    assert counts(record) == before
    db.session.expire_all()
    assert db.session.get(InspectionRecord, record.id).status == RecordStatus.DISPATCHED


def test_a_record_of_another_team_and_a_broken_file_write_nothing(dispatched, client, auth):
    other = dispatched.other  # jt01 is not on its team
    auth.login("jt01")
    from webapp.stages.accounts.models import User

    jt01 = db.session.scalar(select(User).where(User.username == "jt01"))
    raw = export_file(other, jt01, jpeg_with_exif(), signature_png(), str(uuid.uuid4()))
    before = counts(other)
    answer = post_file(client, raw)
    assert "您不在该检查组中" in answer.get_data(as_text=True)
    assert counts(other) == before
    broken = post_file(client, b"{not json")
    assert broken.status_code == 422 and "无法读取" in broken.get_data(as_text=True)
    missing = client.post("/field/import", data={"csrf_token": csrf_token(client, "/field/import")})
    assert missing.status_code == 422 and "请选择" in missing.get_data(as_text=True)


def test_the_import_page_needs_a_signed_in_inspector_and_csrf(dispatched, client, auth):
    assert client.get("/field/import").status_code in (302, 401)
    auth.login("jt01")
    assert client.post("/field/import", data={"file": (io.BytesIO(b"{}"), "x.json")},
                       content_type="multipart/form-data").status_code == 400
