"""An office admin imports the object directory through the page on a phone, as they would."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import login, screenshot
from webapp.core.extensions import db
from webapp.domain import uscc
from webapp.stages.accounts.models import User
from webapp.stages.directory.models import CheckItem, Entity

from ..helpers import xlsx

pytestmark = pytest.mark.browser

HEADER = ["统一社会信用代码", "机构名称", "法定代表人", "住所", "成立日期", "年报情况", "登记状态", "风险等级", "类别"]


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_office_admin_imports_a_file_on_a_phone(world, live_server, page):
    good = [uscc.complete(f"5213060600077{i:04d}") for i in range(2)]
    data = xlsx(HEADER, [
        [good[0], "保定市莲池区晨曦书法培训学校", "李娜", "河北省保定市莲池区东风中路88号", "2020/3/1", "2021,2022", "合格", "较高", "校外培训机构"],
        [good[1], "保定市莲池区跃动体育培训中心", "张伟", "河北省保定市莲池区七一东路9号", "2019年5月6日", "2021、2022", "合格", "C", "校外培训机构"],
        ["91130606MA0BAD0000", "保定市莲池区校验错误培训学校", "王强", "莲池区", "2020-01-01", "2022", "合格", "低", "校外培训机构"],
    ])
    login(page, live_server.url, "office")
    page.get_by_role("link", name="导入检查对象名录").click()
    page.wait_for_url("**/directory/imports/new/entities")
    assert fits_the_phone(page)
    page.set_input_files("#file", files=[{"name": "莲池区名录.xlsx", "buffer": data,
                                           "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    screenshot(page, "directory-import-upload")
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("heading", name="导入预览").wait_for()
    expect(page.get_by_text("校验位不正确")).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "directory-import-preview")
    assert db.session.scalar(select(Entity).where(Entity.uscc == good[0])) is None  # a preview writes nothing

    page.get_by_role("button", name="确认导入（新增 2，更新 0）").click()
    page.get_by_text("已导入：新增 2 条，更新 0 条。").wait_for()
    screenshot(page, "directory-import-done")
    db.session.expire_all()
    names = set(db.session.scalars(select(Entity.name).where(Entity.uscc.in_(good))))
    assert names == {"保定市莲池区晨曦书法培训学校", "保定市莲池区跃动体育培训中心"}


@pytest.mark.parametrize("username, path, name", [
    ("office", "/plans/{plan}", "plan"),
    ("office", "/plans/{plan}/eligibility", "plan-eligibility"),
    ("office", "/plans/new", "plan-new"),
    ("office", "/directory/entities", "directory-entities"),
    ("jt_admin", "/directory/inspectors", "directory-inspectors"),
    ("jt_admin", "/directory/inspectors/{inspector}", "directory-inspector"),
    ("jt_admin", "/directory/items", "directory-items"),
    ("jt_admin", "/directory/items/{item}/edit", "directory-item-edit"),
])
def test_pages_fit_a_phone(world, live_server, page, username, path, name):
    jt01 = db.session.scalar(select(User).where(User.username == "jt01"))
    item = db.session.scalar(select(CheckItem).where(CheckItem.department_id == jt01.department_id))
    path = path.format(plan=world.old.id, inspector=jt01.profile.id, item=item.id)
    login(page, live_server.url, username)
    page.goto(live_server.url + path)
    screenshot(page, name)
    expect(page.locator("h1").first).to_be_visible()
    assert fits_the_phone(page), name


def test_unknown_headers_are_mapped_on_a_phone(world, live_server, page):
    from ..helpers import csv_file

    data = csv_file(["代码", "机构全称", "等级"], [[uscc.complete("52130606000880001"), "保定市莲池区鲲鹏围棋培训中心", "低风险"]],
                    "gbk")
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/directory/imports/new/entities")
    page.set_input_files("#file", files=[{"name": "导出.csv", "buffer": data, "mimeType": "text/csv"}])
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("heading", name="对应表头").wait_for()
    page.get_by_label("“代码”").select_option(label="统一社会信用代码")
    page.get_by_label("“等级”").select_option(label="风险等级")
    screenshot(page, "directory-import-mapping")
    assert fits_the_phone(page)
    page.get_by_role("button", name="按此对应并预览").click()
    page.get_by_role("button", name="确认导入（新增 1，更新 0）").wait_for()
