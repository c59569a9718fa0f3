"""Issue 16 §3 in Chromium at 360×740: a record signed offline waits; after 24 hours the phone warns strongly; the
inspector exports 待同步数据, and on a fresh browser (nothing of the phone's storage) signs in, imports the file at
/field/import, and the database holds the record as signed on the phone — once, however often it is imported."""
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import PHONE
from tests.browser.helpers import screenshot
from webapp.core.extensions import db
from webapp.domain.status import RecordStatus
from webapp.stages.records.models import InspectionRecord, Media

from .walk import camera_jpeg, ready, signed_offline, stored

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/weakphone")

# Put the outbox entry's queued_at 25 hours back, as if the phone had waited since yesterday.
_AGE = """async (recordId) => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open("spotcheck-field"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  await new Promise((ok, no) => {
    const tx = db.transaction("drafts", "readwrite"); const s = tx.objectStore("drafts");
    const g = s.get(recordId);
    g.onsuccess = () => { const d = g.result; d.sync.queued_at = new Date(Date.now() - 25 * 3600e3).toISOString(); s.put(d); };
    tx.oncomplete = ok; tx.onerror = () => no(tx.error); });
  db.close();
  dispatchEvent(new Event("outbox-change"));
}"""


def test_export_offline_then_import_on_a_fresh_browser(dispatched, live_server, browser, context, page, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    record = dispatched.record
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    photo = tmp_path / "camera.jpg"
    photo.write_bytes(camera_jpeg((1600, 1200)))
    try:
        signed_offline(page, context, base, record.entity.checkin_token, photo=photo)
    except Exception:
        print("the screen:", page.locator("#view").inner_text(), "errors:", errors, "at", page.url)
        raise
    expect(page.locator("#outbox-age")).to_contain_text("最早一条已等待")
    expect(page.locator("#outbox-stale")).to_have_count(0)

    page.evaluate(_AGE, record.id)
    expect(page.locator("#outbox-stale")).to_contain_text("超过 24 小时未上传")
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, "stale-warning", full_page=False, copy_to=SHOTS)

    with page.expect_download() as waiting:
        page.get_by_role("button", name="导出待同步数据").click()
    exported = tmp_path / "outbox.json"
    waiting.value.save_as(exported)
    expect(page.locator("#export-note")).to_contain_text("已导出 1 份记录")
    data = json.loads(exported.read_text(encoding="utf-8"))
    draft = stored(page, "drafts", record.id)
    assert data["format"] == "spotcheck-field-outbox" and len(data["records"]) == 1
    assert data["records"][0]["payload"]["findings_hash"] == draft["findings_hash"]
    kinds = sorted(m["kind"] for m in data["records"][0]["media"])
    assert kinds == ["photo", "signature"]
    assert not errors, errors

    fresh = browser.new_context(**PHONE)   # another browser: nothing of the phone's storage, no session
    try:
        other = fresh.new_page()
        other.goto(f"{base}/login?next=/field/import")
        other.get_by_label("用户名").fill("jt01")
        other.get_by_label("密码", exact=True).fill("lianchi2023")
        other.get_by_role("button", name="登录").click()
        other.wait_for_url(re.compile(r".*/field/import$"))
        expect(other.get_by_role("heading", name="导入待同步数据")).to_be_visible()
        screenshot(other, "import-page", full_page=False, copy_to=SHOTS)
        for round_ in (1, 2):
            other.locator('input[type="file"]').set_input_files(str(exported))
            other.get_by_role("button", name="导入").click()
            result = other.get_by_role("list", name="导入结果")
            expect(result).to_contain_text(record.entity.name)
            expect(result).to_contain_text("已导入并提交" if round_ == 1 else "未重复创建")
            if round_ == 1:
                screenshot(other, "import-done", copy_to=SHOTS)
    finally:
        fresh.close()

    db.session.expire_all()
    row = db.session.get(InspectionRecord, record.id)
    assert row.status == RecordStatus.SUBMITTED
    assert row.client_uuid == draft["client_uuid"] and row.findings_hash == draft["findings_hash"]
    shas = set(db.session.scalars(select(Media.sha256).where(Media.record_id == record.id)))
    assert {m["sha256"] for m in data["records"][0]["media"]} <= shas
    assert db.session.scalar(select(func.count()).select_from(Media).where(Media.record_id == record.id)) == len(shas)


def test_the_phones_own_outbox_then_finds_the_record_already_there(dispatched, live_server, context, page, tmp_path):
    """After an import, the phone's own upload of the same record is a replay: it syncs, nothing doubles."""
    base = live_server.url
    record = dispatched.record
    signed_offline(page, context, base, record.entity.checkin_token)
    with page.expect_download() as waiting:
        page.get_by_role("button", name="导出待同步数据").click()
    exported = tmp_path / "outbox.json"
    waiting.value.save_as(exported)
    other = context.new_page()   # the same browser, online again, imports first
    context.set_offline(False)
    other.goto(f"{base}/field/import")
    other.locator('input[type="file"]').set_input_files(str(exported))
    other.get_by_role("button", name="导入").click()
    # Whichever reaches the server first (the import or the phone, now online), the other is a replay.
    expect(other.get_by_role("list", name="导入结果")).to_contain_text(re.compile("已导入并提交|未重复创建"))
    page.locator("#outbox").wait_for(state="hidden")
    ready(page)
    draft = stored(page, "drafts", record.id)
    assert draft["sync"]["state"] == "synced"
    db.session.expire_all()
    assert db.session.get(InspectionRecord, record.id).status == RecordStatus.SUBMITTED
