"""Phones as they are: iOS Safari outside the home screen, WeChat's in-app browser, and the storage line."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

from .walk import installed, ready, shot

pytestmark = pytest.mark.browser

IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.5 Mobile/15E148 Safari/604.1")
WECHAT = ("Mozilla/5.0 (Linux; Android 13; 22081212C Build/TKQ1.220829.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560")


@pytest.mark.parametrize("agent, warning", [
    (IPHONE_SAFARI, "7 天未访问本网站后可能删除本机保存的检查记录"),
    (WECHAT, "请点右上角“…”，选择“在浏览器打开”"),
])
def test_phones_that_may_lose_data_are_warned(browser, live_server, agent, warning):
    context = browser.new_context(**PHONE, user_agent=agent)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/field/")
        ready(page)
        expect(page.get_by_role("alert").filter(has_text=warning)).to_be_visible()
        shot(page, f"field-warning-{'ios' if 'iPhone' in agent else 'wechat'}")
        installed(page)   # let the worker finish precaching before the context closes
    finally:
        context.close()


def test_an_ordinary_android_browser_gets_no_warning_and_sees_the_storage_used(live_server, page):
    page.goto(f"{live_server.url}/field/")
    ready(page)
    expect(page.locator("#usage")).to_contain_text("本机已用")
    expect(page.locator("#banners [role=alert]")).to_have_count(0)
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    installed(page)
