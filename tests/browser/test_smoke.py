"""A person signs in on a phone and sees their own home page, in Chinese."""
import pytest
from playwright.sync_api import expect

from tests import factories
from webapp.core.extensions import db

from .helpers import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(app):
    users = factories.accounts("office", "jt_admin", "jt01", "jt_review")
    db.session.commit()
    return users


@pytest.mark.parametrize("username, heading", [
    ("office", "双随机办 · 待办"),
    ("jt_admin", "部门管理员 · 待办"),
    ("jt01", "我的检查任务"),
    ("jt_review", "待审核的检查表"),
])
def test_each_role_signs_in_on_a_phone_and_sees_its_home(people, live_server, page, username, heading):
    login(page, live_server.url, username)
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"home-{username}")


def test_wrong_password_says_so_without_revealing_the_account(people, live_server, page):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码", exact=True).fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("用户名或密码不正确。")).to_be_visible()
    screenshot(page, "login-error")
