"""The traps offline collection tools fell into, each driven in Chromium against the real sync API: a refusal
to sign, replays, a connection cut mid-upload, a session that expired offline, a conflict, an app update."""
import re
import shutil
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.helpers import wait_until
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.field.models import FieldSubmission
from webapp.stages.records.models import InspectionRecord

from .walk import (
    add_photo,
    camera_jpeg,
    go_offline,
    installed,
    ready,
    shot,
    sign_and_submit,
    sign_in,
    signed_offline,
    stored,
    submit_offline,
    take_picture,
    to_sign_page,
    wait_stored,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "camera.jpg"
    path.write_bytes(camera_jpeg((2000, 1500)))
    return path


def record_of(dispatched):
    db.session.expire_all()
    return db.session.get(InspectionRecord, dispatched.record.id)


def wait_synced(page):
    page.locator("#outbox").wait_for(state="hidden")


def wait_submitted(dispatched, context):
    """The server has the record (the outbox line may be hidden before the app has read its outbox)."""
    return wait_until(lambda: (r := record_of(dispatched)).status == "submitted" and r, what="the record on the server",
                      context=context)


def test_refusal_to_sign_is_recorded_and_confirmed_by_two_inspectors(dispatched, live_server, context, page, photo):
    base = live_server.url
    sign_in(page, base)
    go_offline(context, page)
    to_sign_page(page, base, dispatched.record.entity.checkin_token, fail_first=True)
    page.get_by_text("当事人拒绝签字").click()
    page.get_by_role("button", name="确认拒签并提交").click()
    expect(page.get_by_text("请填写拒签情况说明。")).to_be_visible()
    page.get_by_label("拒签情况说明（必填）").fill("法定代表人张某到场后拒绝在检查记录上签字，称需请示总公司。")
    page.get_by_role("button", name="确认拒签并提交").click()
    expect(page.get_by_text("拒签须由两名在场检查人员确认。")).to_be_visible()
    page.locator("details.refuse input[type=checkbox]").nth(0).check()
    page.locator("details.refuse input[type=checkbox]").nth(1).check()
    take_picture(page, page.get_by_text("拍摄现场证据（可选）"), photo, page.locator("details.refuse .thumbs img"))
    shot(page, "field-refusal", page.locator("details.refuse summary"))
    submit_offline(page, "确认拒签并提交", "已记录拒绝签字，内容已锁定。")

    context.set_offline(False)
    wait_synced(page)
    record = record_of(dispatched)
    assert record.status == "submitted" and record.refused and record.signature_sha is None
    assert "拒绝在检查记录上签字" in record.refusal_note
    assert "corrected" in record.result_codes
    kinds = [m.kind for m in record.media]
    assert kinds == ["evidence"]


def test_a_record_replayed_three_times_is_stored_once(dispatched, live_server, context, page):
    """The server stores the record but the answer is lost twice; the phone sends it again each time."""
    base = live_server.url
    lost = []

    def lose_the_answer(route):
        if route.request.method == "PUT" and len(lost) < 2:
            route.fetch()           # the server receives and stores it…
            lost.append(1)
            route.abort("connectionreset")  # …and the phone never hears back
        else:
            route.continue_()

    page.route(re.compile(r".*/api/field/records/.*"), lose_the_answer)
    signed_offline(page, context, base, dispatched.record.entity.checkin_token)
    context.set_offline(False)
    page.wait_for_function("() => document.querySelector('#outbox-text').textContent.includes('网络')")
    shot(page, "field-replay-retry")
    assert len(lost) == 1
    page.get_by_role("button", name="立即同步").click()
    # The second answer is lost too, and the phone notes it (its second failed attempt, waiting to retry)…
    wait_stored(page, "drafts", dispatched.record.id,
                lambda d: d["sync"]["state"] == "retry" and d["sync"].get("attempts") == 2, "the second loss noted")
    assert len(lost) == 2
    # …and the third attempt goes through: sent by 立即同步, or by the back-off timer should the click have come
    # while the second attempt was still winding up.
    page.get_by_role("button", name="立即同步").click()
    wait_synced(page)

    record = record_of(dispatched)
    assert record.status == "submitted"
    rows = db.session.scalars(select(FieldSubmission).where(FieldSubmission.record_id == record.id)).all()
    assert len(rows) == 1 and rows[0].replays == 2
    stored = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "field.record_submitted"))
    assert stored == 1


def test_a_connection_cut_mid_upload_resumes_with_what_is_missing(dispatched, live_server, context, page, photo):
    base = live_server.url
    posts, cut = [], []

    def cut_first_upload(route):
        if route.request.method == "POST" and not cut:
            route.fetch()                      # the first photo reaches the server…
            cut.append(1)
            route.abort("connectionreset")     # …but the connection drops before the answer
        else:
            route.continue_()

    page.on("request", lambda r: r.method == "POST" and "/api/field/media/" in r.url and posts.append(r.url))
    page.route(re.compile(r".*/api/field/media/\d+$"), cut_first_upload)
    sign_in(page, base)
    go_offline(context, page)
    to_sign_page(page, base, dispatched.record.entity.checkin_token, photo=photo)
    page.get_by_role("link", name="返回").click()
    page.get_by_role("link", name=re.compile("检查内容")).click()
    ready(page)
    second = photo.with_name("second.jpg")
    second.write_bytes(camera_jpeg((1800, 1200)))
    page.locator("section.item").first.locator(".item-head").click()   # a finished matter opens with a tap
    add_photo(page, page.locator("li.point").nth(1), second)
    page.get_by_role("link", name="下一步：签字确认").click()
    ready(page)
    sign_and_submit(page)
    context.set_offline(False)
    # The failed upload noted on the phone (the bar's progress line, 正在上传照片 1/2, shows before the POST goes).
    wait_stored(page, "drafts", dispatched.record.id,
                lambda d: d["sync"]["state"] == "retry" and d["sync"].get("error", "").startswith("上传照片"),
                "the cut upload noted")
    assert len(posts) == 1
    page.get_by_role("button", name="立即同步").click()
    wait_synced(page)
    # Photo 1 was already on the server: asked for with GET, not sent again. Then photo 2 and the signature.
    assert len(posts) == 3
    record = record_of(dispatched)
    assert record.status == "submitted"
    assert sorted(m.kind for m in record.media) == ["photo", "photo", "signature"]


def test_session_expired_offline_sign_in_again_and_nothing_is_lost(dispatched, live_server, context, page, photo):
    base = live_server.url
    signed_offline(page, context, base, dispatched.record.entity.checkin_token, photo=photo)
    context.clear_cookies()               # the session ended while the phone was away
    context.set_offline(False)
    page.get_by_text("登录已过期。本机记录都已保留，重新登录后会继续同步。").wait_for()
    expect(page.locator("#outbox-count")).to_have_text("待同步 1 条")
    shot(page, "field-session-expired")
    assert record_of(dispatched).status == "dispatched"
    page.get_by_role("button", name="重新登录").click()
    page.get_by_label("用户名").fill("jt01")
    page.get_by_label("密码", exact=True).fill("lianchi2023")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/field/task/\d+/sign$"))
    ready(page)
    record = wait_submitted(dispatched, context)
    wait_synced(page)
    assert sorted(m.kind for m in record.media) == ["photo", "signature"]


def test_a_conflict_is_shown_as_409_and_the_record_kept(dispatched, live_server, context, page):
    base = live_server.url
    signed_offline(page, context, base, dispatched.record.entity.checkin_token)
    # Meanwhile another phone's record for the same enterprise reached the server first.
    record = record_of(dispatched)
    record.status, record.client_uuid, record.findings_hash = "submitted", str(uuid.uuid4()), "ab" * 32
    db.session.commit()
    context.set_offline(False)
    page.locator("#outbox .conflict").wait_for()
    expect(page.locator("#outbox .conflict")).to_contain_text("409")
    expect(page.locator("#outbox-count")).to_have_text("待同步 1 条")
    shot(page, "field-conflict")
    page.goto(f"{base}/field/")
    ready(page)
    expect(page.locator(".badge", has_text="冲突")).to_be_visible()
    assert record_of(dispatched).findings_hash == "ab" * 32


def test_an_app_update_with_a_draft_open_keeps_the_draft(dispatched, app, live_server, context, page, tmp_path):
    base = live_server.url
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static)
    app.static_folder = str(static)
    sign_in(page, base)
    installed(page)
    first = page.evaluate("() => caches.keys()")
    page.goto(f"{base}/checkin/{dispatched.record.entity.checkin_token}")
    page.wait_for_url(re.compile(r".*/team$"))
    ready(page)
    for n in (0, 1):                                      # the two-person rule holds at this step
        page.locator("input[data-cert]").nth(n).check()
    page.get_by_role("link", name="下一步：检查内容").click()
    ready(page)
    page.locator("li.point").first.locator("label", has_text=re.compile("^不符合$")).click()
    page.locator("li.point").first.locator("textarea").fill("灭火器过期")

    # A new release: one asset changes, so the worker's bytes change.
    css = static / "field" / "field.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* release 2 */\n", encoding="utf-8")
    page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
    page.get_by_text("有新版本").wait_for()
    shot(page, "field-update-offered")
    with page.expect_event("load"):
        page.get_by_role("button", name="立即更新").click()
    ready(page)
    assert page.url.endswith("/checklist")
    assert page.locator("li.point").first.locator("input[value=fail]").is_checked()
    assert page.locator("li.point").first.locator("textarea").input_value() == "灭火器过期"
    assert page.evaluate("() => caches.keys()") != first
    shot(page, "field-update-kept-draft", page.locator("li.point").first)


def test_a_5xx_is_retried_with_back_off_and_a_4xx_is_kept_and_shown(dispatched, live_server, context, page):
    """A proxy answers 503 (the phone retries on its own), then the server refuses with 422 (kept, shown, not
    retried by itself); 立即同步 sends it again once the cause is gone."""
    base = live_server.url
    answers = [(503, {"error": "服务暂不可用"}), (422, {"error": "记录未通过检查", "errors": ["测试用的拒收原因"]})]
    puts = []

    def server_trouble(route):
        if route.request.method != "PUT":
            return route.continue_()
        puts.append(1)
        if answers:
            status, body = answers.pop(0)
            return route.fulfill(status=status, json=body)
        route.continue_()

    page.route(re.compile(r".*/api/field/records/.*"), server_trouble)
    context.clock.install()  # the page's timers and clock, run at their own pace until told to jump
    signed_offline(page, context, base, dispatched.record.entity.checkin_token)
    context.set_offline(False)
    expect(page.locator("#outbox-text")).to_contain_text("稍后自动重试")
    assert len(puts) == 1
    # No click: the back-off timer (4–6 s) sends it again, and this time the server refuses it. The page's clock
    # jumps those seconds rather than the test waiting them out: the timer fires as it would.
    page.clock.fast_forward("00:07")
    expect(page.locator("#outbox .conflict")).to_contain_text("测试用的拒收原因")
    expect(page.locator("#outbox .conflict")).to_contain_text("422")
    assert len(puts) == 2
    shot(page, "field-rejected-422")
    # A 4xx waits for a person, never a loop: it is held (only entries to retry get a back-off timer), and an
    # automatic sync, whatever starts it (a timer calls the same flush as the network or the page coming back),
    # leaves it alone. The page's own sync module is asked, and waited for until it has finished.
    assert stored(page, "drafts", dispatched.record.id)["sync"]["state"] == "rejected"
    page.evaluate("""async () => {
        dispatchEvent(new Event("online"));
        document.dispatchEvent(new Event("visibilitychange"));
        await (await import("/static/field/sync.js")).flush();
    }""")
    assert len(puts) == 2
    expect(page.locator("#outbox-count")).to_have_text("待同步 1 条")
    assert record_of(dispatched).status == "dispatched"
    page.get_by_role("button", name="立即同步").click()
    record = wait_submitted(dispatched, context)
    wait_synced(page)
    assert record.status == "submitted" and len(puts) == 3
