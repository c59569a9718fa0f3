"""后续监管: publishing a 待后续处理 record opens tasks for the departments with jurisdiction; their admins close
them with evidence; the public page follows."""
import hashlib
import io
import struct

import pytest
from PIL import Image
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import approved_record, current_plan, department, directory_entities
from tests.field_api.test_hostile_bodies import png, png_declaring
from webapp.core import clock
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.publication import publishing
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.models import Media


def _publish(record):
    publishing.publish([record])
    db.session.commit()
    return db.session.scalars(select(FollowUpTask).where(FollowUpTask.record_id == record.id)
                              .order_by(FollowUpTask.id)).all()


def _open_task():
    """A published 待后续处理 record whose 卫健局 check points failed, and the follow-up task it opened (卫健局's)."""
    record = approved_record(current_plan(), directory_entities(1)[0], codes=["follow_up"], failed=["weijian"])
    (task,) = _publish(record)
    return record, task


def _jpeg_with_exif() -> bytes:
    im = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_failed_items_decide_the_departments(world):
    record = approved_record(current_plan(), directory_entities(1)[0], codes=["follow_up"], failed=["renshe", "weijian"])
    tasks = _publish(record)
    assert [t.department.code for t in tasks] == ["renshe", "weijian"]
    expected = current_calendar().add_workdays(clock.today(), 20)
    assert all(t.deadline == expected.due and t.status == "open" for t in tasks)
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "followup.open")) == 2


def test_without_failed_items_the_lead_department_follows_up(world):
    record = approved_record(current_plan(), directory_entities(1)[0], codes=["not_disclosed", "follow_up"])
    (task,) = _publish(record)
    assert task.department_id == current_plan().lead_department_id == department("jiaoti").id


def test_corrected_on_the_spot_opens_nothing(world):
    record = approved_record(current_plan(), directory_entities(1)[0], codes=["corrected"], failed=["jiaoti"])
    assert _publish(record) == []


def test_department_admin_closes_with_evidence_and_a_photo_without_exif(world, client, auth):
    record, task = _open_task()
    public_html = client.get(f"/public/enterprise/{record.entity.uscc}").get_data(as_text=True)
    assert "处理中" in public_html and "莲池区卫健局" in public_html
    auth.login("wj_admin")
    listing = client.get("/followup/").get_data(as_text=True)
    assert record.entity.name in listing
    token = csrf_token(client, f"/followup/{task.id}")
    response = client.post(f"/followup/{task.id}/close", follow_redirects=True, content_type="multipart/form-data",
                           data={"csrf_token": token, "evidence": "已责令整改，复查合格。",
                                 "image": (io.BytesIO(_jpeg_with_exif()), "fix.jpg")})
    assert response.status_code == 200 and "已办结" in response.get_data(as_text=True)
    db.session.expire_all()
    task = db.session.get(FollowUpTask, task.id)
    assert task.status == "closed" and task.closed_by.username == "wj_admin" and task.evidence == "已责令整改，复查合格。"
    media = db.session.get(Media, task.evidence_media_id)
    assert media.kind == "evidence" and media.record_id == record.id
    with Image.open(io.BytesIO(storage().read(media.storage_key))) as im:
        assert im.format == "JPEG" and not im.getexif()
    assert media.meta["original"]["filename"] == "fix.jpg"
    public_html = client.application.test_client().get(
        f"/public/enterprise/{record.entity.uscc}").get_data(as_text=True)
    assert "已办结" in public_html and "复查合格" not in public_html and "/media/" not in public_html


def test_closing_needs_evidence_text_and_keeps_what_was_typed(world, client, auth):
    record, task = _open_task()
    auth.login("wj_admin")
    token = csrf_token(client, f"/followup/{task.id}")
    response = client.post(f"/followup/{task.id}/close", data={"csrf_token": token, "evidence": "  "})
    assert response.status_code == 422 and "请填写办结情况" in response.get_data(as_text=True)
    response = client.post(f"/followup/{task.id}/close", content_type="multipart/form-data", data={
        "csrf_token": token, "evidence": "已整改完毕", "image": (io.BytesIO(b"not an image"), "x.jpg")})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "不是 JPEG 或 PNG 图片" in html and "已整改完毕" in html
    db.session.expire_all()
    assert db.session.get(FollowUpTask, task.id).status == "open"


def test_other_departments_cannot_see_or_close(world, client, auth):
    record, task = _open_task()
    auth.login("jt_admin")
    assert record.entity.name not in client.get("/followup/").get_data(as_text=True)
    assert client.get(f"/followup/{task.id}").status_code == 403
    token = csrf_token(client, "/followup/")
    assert client.post(f"/followup/{task.id}/close", data={"csrf_token": token, "evidence": "x"}).status_code == 403
    auth.logout()
    auth.login("office")  # the office watches every task, the department with jurisdiction closes it
    assert record.entity.name in client.get("/followup/").get_data(as_text=True)
    assert "确认办结" not in client.get(f"/followup/{task.id}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FollowUpTask, task.id).status == "open"


def test_a_closed_task_stays_closed(world, client, auth):
    record, task = _open_task()
    auth.login("wj_admin")
    token = csrf_token(client, f"/followup/{task.id}")
    client.post(f"/followup/{task.id}/close", data={"csrf_token": token, "evidence": "第一次"})
    response = client.post(f"/followup/{task.id}/close", data={"csrf_token": token, "evidence": "第二次"})
    assert response.status_code == 422 and "已办结" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FollowUpTask, task.id).evidence == "第一次"


def test_evidence_photo_is_served_to_the_department_and_office_only(world, client, auth):
    # The department with jurisdiction is not on the team here: the record's media rule would refuse it.
    record = approved_record(current_plan(), directory_entities(1)[0], codes=["follow_up"], failed=["weijian"], team=("jt01", "rs01"))
    (task,) = _publish(record)
    auth.login("wj_admin")
    client.post(f"/followup/{task.id}/close", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, f"/followup/{task.id}"), "evidence": "已整改",
        "image": (io.BytesIO(_jpeg_with_exif()), "fix.jpg")})
    full = client.get(f"/followup/{task.id}/evidence")
    thumb = client.get(f"/followup/{task.id}/evidence?thumb=1")
    assert full.status_code == thumb.status_code == 200 and full.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(thumb.data)) as im:
        assert im.size == (64, 48)  # already small: the thumbnail keeps its size
    auth.logout()
    assert client.get(f"/followup/{task.id}/evidence").status_code == 302  # the public: to the login page
    auth.login("rs_admin")
    assert client.get(f"/followup/{task.id}/evidence").status_code == 403


def _close_with(client, task, data: bytes, filename="evidence.png", text="已整改，附现场照片。"):
    return client.post(f"/followup/{task.id}/close", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, f"/followup/{task.id}"), "evidence": text,
        "image": (io.BytesIO(data), filename)})


def _nothing_written(task, before: set):
    db.session.expire_all()
    assert db.session.get(FollowUpTask, task.id).status == "open"
    assert db.session.scalar(select(db.func.count()).select_from(Media).where(Media.kind == "evidence")) == 0
    assert set(storage().keys()) == before


@pytest.mark.parametrize("data, message", [
    (png_declaring(8000, 5000), "8000×5000"),               # refused from the header, never decoded
    (png_declaring(100_000, 100_000), "像素过多"),
    (png(Image.new("RGB", (64, 64), 9))[:-40], "损坏"),     # truncated
    (b"GIF89a" + bytes(200), "不是 JPEG 或 PNG"),            # the type is read from the content, not the name
    (b"", "文件是空的"),
])
def test_evidence_uploads_get_the_field_checks_and_a_refusal_writes_nothing(world, client, auth, data, message):
    record, task = _open_task()
    auth.login("wj_admin")
    before = set(storage().keys())
    response = _close_with(client, task, data, "photo.png")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html, html
    assert "已整改，附现场照片。" in html  # what was typed comes back
    _nothing_written(task, before)


def test_evidence_is_scaled_converted_renamed_and_served_only_as_the_server_made_it(world, client, auth):
    record, task = _open_task()
    auth.login("wj_admin")
    width = 3200
    ramp = b"".join(struct.pack("<H", round(x * 65535 / (width - 1))) for x in range(width)) * 16
    sent = png(Image.frombytes("I;16", (width, 16), ramp))  # a 16-bit greyscale scan, twice the phone's size
    assert _close_with(client, task, sent, "../../etc/passwd\x00.png").status_code == 302
    db.session.expire_all()
    media = db.session.get(FollowUpTask, task.id).evidence_media
    assert media.sha256 == hashlib.sha256(sent).hexdigest() and media.stored_sha != media.sha256
    assert (media.width, media.height) == (1600, 8) and media.meta["scaled_to"] == {"width": 1600, "height": 8}
    assert media.meta["original"]["filename"] == "passwd.png"
    served = client.get(f"/followup/{task.id}/evidence")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == storage().read(media.storage_key) and served.data != sent
    with Image.open(io.BytesIO(served.data)) as im:
        assert im.mode == "L" and im.size == (1600, 8)
        values = [im.getpixel((x, 4)) for x in (0, 800, 1599)]
    assert values[0] <= 2 and values[-1] >= 250 and 120 <= values[1] <= 135  # a ramp, not clipped white
    assert not storage().exists(media.sha256)  # the upload itself is never kept, so never served
    thumb = client.get(f"/followup/{task.id}/evidence?thumb=1")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
