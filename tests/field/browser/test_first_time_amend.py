"""Issue 16 §4: a returned record's 补充说明 carries photos (the reviewer asked for 补拍照片), taken with the
checklist's camera button, uploaded by the outbox before the text, and seen by the reviewer."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import login, screenshot
from webapp.core.extensions import db
from webapp.stages.accounts.models import User
from webapp.stages.records.models import InspectionRecord, Media
from webapp.stages.review import service
from webapp.stages.review.models import Amendment

from .walk import camera_jpeg, go_offline, ready, shot, sign_and_submit, sign_in, take_picture, to_sign_page

pytestmark = pytest.mark.browser


def test_a_supplementary_note_carries_photos_to_the_reviewer(dispatched, live_server, browser, context, page, tmp_path):
    base, record_id = live_server.url, dispatched.record.id
    sign_in(page, base)
    to_sign_page(page, base, dispatched.record.entity.checkin_token)
    sign_and_submit(page)
    page.goto(f"{base}/field/task/{record_id}")
    ready(page)
    expect(page.locator(".deadline")).to_contain_text("已同步")
    db.session.expire_all()
    record = db.session.get(InspectionRecord, record_id)
    signed = record.findings_hash
    service.decide(record, db.session.scalar(select(User).where(User.username == "jt_review")), "return",
                   "请补拍消防通道清理后的照片。")

    page.goto(f"{base}/field/")                          # the tasks again: the return is on the phone
    ready(page)
    page.goto(f"{base}/field/task/{record_id}")
    ready(page)
    go_offline(context, page)
    picture = tmp_path / "after.jpg"
    picture.write_bytes(camera_jpeg((2000, 1500)))
    form = page.locator(".amend-form")
    take_picture(page, form.get_by_text("补拍照片"), picture, form.locator(".thumbs img"))
    page.get_by_role("textbox", name="补充说明").fill("消防通道已清理，补拍照片一张。")
    shot(page, "field-first-amend-photo", form)
    page.get_by_role("button", name="提交补充说明").click()
    ready(page)
    expect(page.locator(".amendment.waiting .thumbs img")).to_have_count(1)
    context.set_offline(False)
    page.evaluate("() => dispatchEvent(new Event('online'))")
    expect(page.get_by_text("已上传 1 条")).to_be_visible()

    db.session.expire_all()
    amendment = db.session.scalar(select(Amendment).where(Amendment.record_id == record_id))
    assert amendment.text == "消防通道已清理，补拍照片一张。"
    assert len(amendment.photos) == 1
    media = db.session.scalar(select(Media).where(Media.record_id == record_id, Media.sha256 == amendment.photos[0]))
    assert media.kind == "amendment"
    assert db.session.get(InspectionRecord, record_id).findings_hash == signed       # the signed findings stay

    reviewer = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="zh-CN")
    try:
        office = reviewer.new_page()
        login(office, base, "jt_review")
        office.goto(f"{base}/review/records/{record_id}")
        img = office.locator(".amend-photos img").first
        expect(img).to_be_visible()
        with office.expect_response(lambda r: f"/media/{media.id}" in r.url) as full:
            office.locator(".amend-photos a").first.click()
        assert full.value.status == 200
        office.go_back()
        img.scroll_into_view_if_needed()
        screenshot(office, "field-first-amend-reviewer", full_page=False)
    finally:
        reviewer.close()
