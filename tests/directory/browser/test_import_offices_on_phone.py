"""On a phone: the preview of a status-only file with an annual-report column that carries its year, and the
rows another district's import left for this office (他辖区转来)."""
import os

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import login, screenshot
from webapp.core.extensions import db
from webapp.domain import roles, uscc
from webapp.stages.accounts import jurisdictions

from ..helpers import csv_file

pytestmark = pytest.mark.browser


def keep(page, name):
    screenshot(page, name, copy_to="/tmp/shots/imports" if os.path.isdir("/tmp/shots/imports") else None)


def test_status_preview_and_forwarded_rows_on_a_phone(world, live_server, page):
    jingxiu = jurisdictions.ensure_chain(jurisdictions.HEBEI, jurisdictions.BAODING, jurisdictions.JINGXIU)
    theirs = factories.entity(uscc=uscc.complete("91130602MA0000001"), name="保定市竞秀区未来培训学校")
    jx = factories.user("jx_office", (roles.OFFICE_ADMIN,), full_name="竞秀区双随机办")
    jx.jurisdiction = jingxiu
    db.session.commit()
    eligible = [e for e in world.entities if e.status == "合格"][:3]
    rows = [[e.uscc, "注销" if i % 2 == 0 else "吊销", "已年报"] for i, e in enumerate(eligible)]
    data = csv_file(["统一社会信用代码", "登记状态", "2023年报状态"], rows + [[theirs.uscc, "注销", "已年报"]])

    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/directory/imports/new/entities")
    page.set_input_files("#file", files=[{"name": "登记状态.csv", "buffer": data, "mimeType": "text/csv"}])
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("heading", name="导入预览").wait_for()
    expect(page.get_by_text("「2023年报状态」按 2023 年度年报读取。")).to_be_visible()
    expect(page.get_by_text("1 行不属本辖区（属 竞秀区）", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="登记状态变化（3 个检查对象）")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    keep(page, "directory-import-status-preview")
    page.get_by_role("button", name="确认导入（新增 0，更新 3）").click()
    page.get_by_text("已导入：新增 0 条，更新 3 条。").wait_for()

    page.context.clear_cookies()
    login(page, live_server.url, "jx_office")
    page.goto(f"{live_server.url}/directory/imports/new/entities")
    page.get_by_role("link", name="莲池区 · 批次", exact=False).click()
    expect(page.locator(".code", has_text=theirs.uscc)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    keep(page, "directory-import-forwarded")
