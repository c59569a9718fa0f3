"""My tasks, arrival and the draft on the phone: search, a QR code of another enterprise, the USCC fallback,
racing saves, and signing out with unsynced work."""
import re

import pytest
from playwright.sync_api import expect

from .walk import go_offline, ready, shot, sign_in, wait_stored

pytestmark = pytest.mark.browser


def test_tasks_are_searchable_and_arrival_needs_the_right_enterprise(dispatched, live_server, context, page):
    base = live_server.url
    entity = dispatched.record.entity
    sign_in(page, base)
    go_offline(context, page)
    search = page.get_by_label("搜索任务")
    search.fill(entity.uscc[-6:])
    expect(page.locator("li.task:visible")).to_have_count(1)
    expect(page.locator("li.task:visible")).to_contain_text(entity.name)
    search.fill("不存在的企业名称")
    expect(page.get_by_text("没有匹配的任务。")).to_be_visible()

    page.goto(f"{base}/checkin/{dispatched.other.entity.checkin_token}")   # a poster of someone else's task
    ready(page)
    expect(page.get_by_text("此二维码不属于您的检查任务")).to_be_visible()
    shot(page, "field-checkin-foreign")

    page.goto(f"{base}/field/task/{dispatched.record.id}/checkin")
    ready(page)
    page.get_by_label("核对营业执照上的统一社会信用代码").fill("91130606MA0000000X")
    page.get_by_role("button", name="核对并签到").click()
    expect(page.get_by_text("统一社会信用代码与该任务的企业不一致")).to_be_visible()
    shot(page, "field-checkin-uscc")
    page.get_by_label("核对营业执照上的统一社会信用代码").fill(entity.uscc.lower())
    page.get_by_role("button", name="核对并签到").click()
    page.wait_for_url(re.compile(r".*/team$"))
    expect(page.get_by_text(f"已签到：{entity.name}")).to_be_visible()
    page.goto(f"{base}/field/task/{dispatched.record.id}")
    ready(page)
    expect(page.locator(".deadline")).to_have_text(re.compile(r"须于 \d{4}-\d{2}-\d{2} 前同步（剩余 \d+ 个工作日）"))
    shot(page, "field-task")


def test_racing_saves_of_one_record_all_reach_the_disk(dispatched, live_server, context, page):
    """Thirty-nine answers fired in one tick, then a reload: serialised writes lose none of them."""
    base = live_server.url
    sign_in(page, base)
    go_offline(context, page)
    page.goto(f"{base}/field/task/{dispatched.record.id}/checklist")
    ready(page)
    points = page.locator("li.point").count()
    page.evaluate("""() => {
        document.querySelectorAll("li.point").forEach((li, i) =>
            li.querySelector(`input[value="${i % 3 === 0 ? "na" : "pass"}"]`).click());
        document.querySelectorAll("li.point textarea").forEach((t, i) => {
            t.value = `说明 ${i}`; t.dispatchEvent(new Event("input")); });
    }""")
    # Every answer and note on the phone's disk (a lost write would never get there), then a reload.
    def all_written(draft):
        stored_points = [pt for item in draft["items"].values() for pt in item["points"]]
        return (sorted(pt.get("note", "") for pt in stored_points) == sorted(f"说明 {i}" for i in range(points))
                and sorted(pt.get("result", "") for pt in stored_points)
                == sorted("na" if i % 3 == 0 else "pass" for i in range(points)))

    wait_stored(page, "drafts", dispatched.record.id, all_written, "every answer on the phone's disk")
    page.reload()
    ready(page)
    for i in range(points):
        point = page.locator("li.point").nth(i)
        assert point.locator(f"input[value={'na' if i % 3 == 0 else 'pass'}]").is_checked(), i
        assert point.locator("textarea").input_value() == f"说明 {i}"


def test_signing_out_with_unsynced_work_warns_and_keeps_it(dispatched, live_server, context, page):
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/field/task/{dispatched.record.id}/checkin")
    ready(page)
    page.get_by_label("核对营业执照上的统一社会信用代码").fill(dispatched.record.entity.uscc)
    page.get_by_role("button", name="核对并签到").click()
    page.wait_for_url(re.compile(r".*/team$"))
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("1 份记录正在填写")).to_be_visible()
    shot(page, "field-signout-warning")
    page.get_by_role("button", name="取消").click()
    expect(page.get_by_text("1 份记录正在填写")).not_to_be_visible()
    page.get_by_role("button", name="退出").click()
    page.get_by_role("button", name="仍然退出").click()
    page.wait_for_url(re.compile(r".*/login$"))
    sign_in(page, base, next_path=f"/field/task/{dispatched.record.id}/checkin")
    expect(page.get_by_text("已于")).to_be_visible()          # the check-in survived the sign-out


def test_the_enterprise_poster_qr_code_opens_the_check_in_offline(dispatched, app, live_server, context, page):
    """The 扫码入企 poster's QR code, decoded for real, leads the phone's browser to this task's check-in."""
    import io
    from urllib.parse import urlsplit

    import zxingcpp
    from PIL import Image

    from tests.conftest import Auth

    office = app.test_client()
    Auth(office).login("office")
    with office.get(f"/qr/checkin/{dispatched.record.entity.id}.png") as png:
        assert png.status_code == 200
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert len(decoded) == 1
    path = urlsplit(decoded[0].text).path
    assert path == f"/checkin/{dispatched.record.entity.checkin_token}"

    base = live_server.url
    sign_in(page, base)
    go_offline(context, page)
    page.goto(base + path)                     # what the camera app opens
    page.wait_for_url(re.compile(r".*/field/task/\d+/team$"))
    ready(page)
    expect(page.get_by_text(f"签到：{dispatched.record.entity.name}")).to_be_visible()


def test_the_inspectors_credential_qr_is_shown_offline_and_decodes(dispatched, live_server, context, page):
    """亮证: the credential QR downloaded online is shown offline, and a phone camera would read the real URL."""
    import io

    import zxingcpp
    from PIL import Image

    base = live_server.url
    sign_in(page, base)
    page.get_by_role("link", name="亮证（出示执法证件二维码）").click()
    ready(page)
    expect(page.locator(".cred-state")).to_have_text("有效")
    go_offline(context, page)
    page.reload()
    ready(page)
    expect(page.get_by_text("离线，显示")).to_be_visible()
    shot(page, "field-credential")
    png = page.locator("img.qr").screenshot()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(decoded) == 1 and "/credential/" in decoded[0].text
