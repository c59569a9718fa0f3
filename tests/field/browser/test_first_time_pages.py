"""Issue 16 §4 on the server-rendered pages, in Chromium: the check-in page's wording, the /v/ page's hash and
submission time, the reviewer's decision within reach and the 已补充 mark, the navigation (portal link, top nav at
1280 px, task rows that are links)."""
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import login, screenshot
from webapp.core.extensions import db
from webapp.stages.review import service

from .walk import ready, shot, sign_in

pytestmark = pytest.mark.browser


def test_the_check_in_page_names_only_buttons_that_are_there(dispatched, live_server, context, page):
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/field/task/{dispatched.record.id}/checkin")
    ready(page)
    how = page.locator("#checkin-how").inner_text()
    assert "下方按钮" not in how
    scanner = page.evaluate("() => 'BarcodeDetector' in self")
    assert ("“扫码入企”按钮" in how) == scanner
    expect(page.get_by_role("link", name="扫码入企")).to_have_count(1 if scanner else 0)
    shot(page, "field-first-checkin")


def test_the_verification_page_shows_the_hash_and_submission_time_of_the_paper(world, live_server, page):
    record = factories.record_for_review()
    page.goto(f"{live_server.url}/v/{record.token}")
    expect(page.locator("#findings-hash")).to_have_text(record.findings_hash)
    shown = page.locator("#submitted-at").inner_text()
    assert re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", shown), shown
    assert page.evaluate("document.documentElement.scrollWidth") <= 360     # the 64 hex digits wrap
    shot(page, "field-first-verify", page.locator("#findings-hash"))


def test_the_decision_stays_reachable_and_an_answered_return_is_marked(world, live_server, page):
    record = factories.record_for_review(departments=("jiaoti",))
    reviewer = factories.get_user("jt_review")
    service.decide(record, reviewer, "return", "请补拍消防通道照片。")
    service.add_amendment(db.session.get(type(record), record.id), factories.get_user("jt01"), "已整改并补充说明。", "c-1")
    fresh = factories.record_for_review(departments=("jiaoti",))
    base = live_server.url
    login(page, base, "jt_review")
    page.goto(f"{base}/review/")
    answered = page.locator(".queue-row", has_text=record.entity.name)
    expect(answered.locator(".badge.amended")).to_have_text("已补充")
    expect(page.locator(".queue-row", has_text=fresh.entity.name).locator(".badge.amended")).to_have_count(0)
    shot(page, "field-first-review-queue", answered)

    page.goto(f"{base}/review/records/{record.id}")
    bar = page.locator(".decide-bar")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")    # the bottom of a long record
    expect(bar).to_be_in_viewport()
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight / 2)")
    expect(bar).to_be_in_viewport()
    shot(page, "field-first-review-bar")
    bar.get_by_role("link").first.click()
    expect(page.locator("form.decide").first).to_be_in_viewport()
    expect(page.locator("form.decide button[value=approve]").first).to_be_visible()


def test_navigation_portal_link_top_nav_and_task_rows(dispatched, live_server, browser, page):
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_role("link", name="查询公示结果（无需登录）").click()
    page.wait_for_url(f"{base}/public/")
    shot(page, "field-first-anonymous-home")

    login(page, base, "jt01")
    row = page.locator("a.row-link", has_text=dispatched.record.entity.name)
    expect(row).to_have_attribute("href", f"/field/task/{dispatched.record.id}")
    shot(page, "field-first-inspector-home", row)
    row.click()
    page.wait_for_url(f"{base}/field/task/{dispatched.record.id}")
    ready(page)

    wide = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        office = wide.new_page()
        login(office, base, "office")
        top = office.locator(".topnav")
        expect(top).to_be_visible()
        for name in ("抽查计划", "双随机抽取", "审核队列", "结果公示", "用户管理"):
            expect(top.get_by_role("link", name=name)).to_be_visible()      # without opening the menu
        expect(office.locator(".menu nav")).to_be_hidden()
        top.get_by_role("link", name="审核队列").click()
        office.wait_for_url(f"{base}/review/")
        screenshot(office, "field-first-office-1280", full_page=False)
    finally:
        wide.close()
    # On the phone the bar stays short: the pages are in the menu.
    expect(page.locator(".topnav")).to_have_count(0)                    # the field app has its own bar
