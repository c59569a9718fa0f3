"""Signing out on a shared phone with no network (issue 10 §2): after the warning about unsent work, the phone
shows its sign-in screen (not the browser's "no internet" page), the previous inspector's tasks and session are
gone from it while the unsent record stays for its owner, the server session ends when the network returns (a
cookie copied before is refused then), and the next inspector on the same browser sees none of the previous
one's tasks."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests import factories
from tests.browser.helpers import copied_cookies_refused, wait_until
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.stages.accounts.models import User, UserSession

from .walk import go_offline, ready, shot, sign_in, stored

pytestmark = pytest.mark.browser

_ALL = """async (store) => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open("spotcheck-field"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  try {
    return await new Promise((ok, no) => {
      const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error); });
  } finally { db.close(); }
}"""


def sessions_of(username):
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == username))
    return db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()


def test_offline_sign_out_then_the_next_inspector_sees_none_of_the_previous_ones_tasks(
        dispatched, browser, live_server, context, page):
    base = live_server.url
    a, b = dispatched.record, dispatched.other
    # The next inspector on this phone: on record B only (B's leader, given an account).
    factories.user("wj09", (roles.INSPECTOR,), full_name="赵六", profile=b.members[0].inspector)
    db.session.commit()

    sign_in(page, base)                                   # jt01, on record A
    expect(page.locator("li.task")).to_contain_text(a.entity.name)
    copied = context.cookies()                            # what someone could have copied from this phone
    go_offline(context, page)
    page.goto(f"{base}/field/task/{a.id}/checkin")        # a record begun, never sent
    ready(page)
    page.get_by_label("核对营业执照上的统一社会信用代码").fill(a.entity.uscc)
    page.get_by_role("button", name="核对并签到").click()
    page.wait_for_url(re.compile(r".*/team$"))

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("1 份记录正在填写")).to_be_visible()   # the existing warning, first
    expect(page.get_by_text("您下载的任务和已同步的记录将从本机删除")).to_be_visible()
    page.get_by_role("button", name="仍然退出").click()
    page.wait_for_url(f"{base}/field/")
    ready(page)
    expect(page.get_by_text("已退出登录。")).to_be_visible()
    expect(page.get_by_text("您尚未同步的 1 份记录仍保存在本机")).to_be_visible()
    expect(page.get_by_text("联网后会自动通知服务器结束本次登录")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_hidden()
    shot(page, "field-signout-offline")

    jt01 = factories.get_user("jt01").id
    assert [t for t in page.evaluate(_ALL, "tasks") if t["user_id"] == jt01] == []
    assert stored(page, "meta", "session") is None and stored(page, "meta", "catalog") is None
    draft = stored(page, "drafts", a.id)
    assert draft["user_id"] == jt01 and draft["checkin"]            # the unsent record is kept, for jt01 only
    assert len(stored(page, "meta", "signouts")) == 1
    assert all(s.revoked_at is None for s in sessions_of("jt01"))   # the server has not heard yet

    context.set_offline(False)                            # the network returns
    wait_until(lambda: any(s.revoked_at is not None for s in sessions_of("jt01")), 30,
               "the server session of jt01 revoked")
    wait_until(lambda: stored(page, "meta", "signouts") == [], 30, "the queued sign-out sent")
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    copied_cookies_refused(browser, base, copied)

    # The next inspector signs in on the same phone: only their own task.
    page.get_by_role("link", name="登录").click()
    page.wait_for_url(re.compile(r".*/login\?next=.*"))
    page.get_by_label("用户名").fill("wj09")
    page.get_by_label("密码", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/field/")
    ready(page)
    expect(page.locator("li.task")).to_have_count(1)
    expect(page.locator("li.task")).to_contain_text(b.entity.name)
    expect(page.get_by_text(a.entity.name)).to_have_count(0)
    expect(page.get_by_text("已退出登录")).to_have_count(0)
    expect(page.locator("#outbox")).to_be_hidden()        # jt01's unsent record is not theirs to see
    shot(page, "field-signout-next-user-tasks")
    wj09 = factories.get_user("wj09").id
    assert {t["record_id"] for t in page.evaluate(_ALL, "tasks")} == {b.id}
    assert {t["user_id"] for t in page.evaluate(_ALL, "tasks")} == {wj09}
    page.goto(f"{base}/field/task/{a.id}")
    ready(page)
    expect(page.get_by_text(a.entity.name)).to_have_count(0)
    shot(page, "field-signout-next-user")

    # wj09 signs out with the network on; jt01 comes back and finds the record begun.
    page.goto(f"{base}/field/")
    ready(page)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r".*/login$"))
    expect(page.get_by_text("已退出登录。")).to_be_visible()
    sign_in(page, base, next_path=f"/field/task/{a.id}/checkin")
    expect(page.get_by_text("已于")).to_be_visible()
