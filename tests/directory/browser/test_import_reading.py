"""Issue 17: the upload's page shows the reading job's progress and, when the job is done, turns into the preview
by itself (the office does not have to press 查看结果). The job waits in a real Redis queue with no worker until
the test runs it, as a worker would, while the page is open."""
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, wait_until
from webapp.core import jobs
from webapp.core.extensions import db
from webapp.domain import uscc

from ..helpers import xlsx
from ..test_import_jobs import queued  # noqa: F401  (the Redis queue with no worker)

pytestmark = pytest.mark.browser

HEADER = ["统一社会信用代码", "机构名称", "风险等级"]


@pytest.mark.usefixtures("queued")
def test_the_reading_page_goes_to_the_preview_when_its_job_is_done(world, live_server, page):
    data = xlsx(HEADER, [[uscc.complete(f"5213060600099{i:04d}"), f"保定市莲池区读取测试{i}号培训学校", "低"]
                         for i in range(3)])
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/directory/imports/new/entities")
    page.set_input_files("#file", files=[{"name": "名录.xlsx", "buffer": data,
                                           "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/directory/imports/*?job=*")
    expect(page.get_by_text("正在后台读取并逐行检查文件")).to_be_visible()
    box = page.locator("[data-job-progress]")
    expect(box).to_have_attribute("data-state", "queued")
    job_id = int(parse_qs(urlsplit(page.url).query)["job"][0])

    db.session.expire_all()
    assert jobs.run(job_id).state == jobs.DONE  # what the worker does with the message; the page is not touched
    page.get_by_role("heading", name="导入预览").wait_for()
    expect(page.get_by_role("button", name="确认导入（新增 3，更新 0）")).to_be_visible()
    assert "job=" not in page.url
    wait_until(lambda: page.url.rstrip("/").split("/")[-1].isdigit(), what="the batch's own address")
