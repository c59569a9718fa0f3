"""On a phone, the office starts a plan's bundle (every 一企一表 PDF and an index, one ZIP): the job runs in the
embedded thread backend, the page's progress bar follows it without a reload and ends on the download link."""
import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories

from .helpers import login, screenshot

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/queue")


def test_bundle_progress_reaches_the_download_link(world, app, live_server, page):
    records = [factories.record_for_review(departments=("jiaoti", "renshe"), photos=1) for _ in range(3)]
    plan_id = records[0].plan_id
    app.config["JOBS_EAGER"] = False  # the embedded default: a thread of its own after the commit
    try:
        login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/reports/dashboard?plan={plan_id}")
        page.get_by_role("button", name="打包下载全部一企一表（PDF + 索引，ZIP）").click()
        page.wait_for_url(lambda url: "/reports/dashboard?" in url and "job=" in url)
        box = page.locator("[data-job-progress]")
        expect(box.get_by_role("heading", name="一企一表打包（PDF + 索引）")).to_be_visible()
        expect(box.locator("progress")).to_be_visible()
        screenshot(page, "bundle-started", copy_to=SHOTS)
        link = box.get_by_role("link", name="下载：一企一表-")
        expect(link).to_be_visible(timeout=120_000)  # the bar follows the job without a reload
        expect(box.locator("progress")).to_have_attribute("value", "100")
        expect(box).to_contain_text("已完成")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "bundle-done", copy_to=SHOTS)
        with page.expect_download() as info:
            link.click()
        archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
        assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 3 and "索引.xlsx" in archive.namelist()
    finally:
        app.config.pop("JOBS_EAGER")
