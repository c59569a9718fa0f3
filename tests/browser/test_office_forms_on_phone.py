"""Office and department forms on a 360 px phone: a department excludes a drawn entity, the office issues an API
token (a bad request told in Chinese first), sees it once and revokes it; nothing is wider than the screen (the
new token wraps: an inline style would be refused by the Content-Security-Policy)."""
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import login, screenshot
from webapp.core.extensions import db

pytestmark = pytest.mark.browser


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_exclusion_token_and_office_pages_on_a_phone(world, live_server, page):
    drawn = factories.entity_draw(world.current)
    db.session.commit()
    conf = next(c for c in drawn.confirmations if c.department.code == "jiaoti")
    login(page, live_server.url, "jt_admin")
    page.goto(f"{live_server.url}/draw/confirm/{conf.id}")
    page.locator("article details summary").first.click()
    page.locator("article details select[name=reason]").first.select_option(index=1)
    page.locator("article details form button").first.click()
    expect(page.locator(".flash")).to_contain_text("已排除")
    expect(page.locator("button.primary")).to_contain_text("排除 1 户")
    fits(page)
    screenshot(page, "confirm-excluded", full_page=False)
    page.context.clear_cookies()

    login(page, live_server.url, "office")
    for url in ("/draw/calendar", "/office/webhooks/", "/office/api-tokens/"):
        page.goto(live_server.url + url)
        assert page.title().endswith(" · 双随机联合抽查")
        fits(page)
    page.fill("input[name=name]", "保险公司对接")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("请至少选择一个权限范围")
    page.fill("input[name=name]", "保险公司对接")
    page.locator("input[name=scopes]").first.check()
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("#new-token")).to_be_visible()
    fits(page)
    screenshot(page, "api-token-issued")
    page.locator("button", has_text="吊销").first.click()
    expect(page.locator(".flash")).to_contain_text("已吊销")
    expect(page.locator("#new-token")).to_have_count(0)
