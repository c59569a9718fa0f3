"""The inspector's home on a phone: tasks with their status and sync deadline, a late one flagged."""
from datetime import date

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import login, screenshot

from ..conftest import sha, signature_png, submission

pytestmark = pytest.mark.browser


def test_inspector_home_lists_tasks_with_their_sync_deadline(app, live_server, page, phone, dispatched):
    dispatched.plan.window_start = date(2026, 1, 5)
    waiting = factories.dispatched(dispatched.plan, factories.directory_entities(1, offset=2)[0], ("jt01", "rs01"))
    with app.app_context():  # the phone's session, apart from the browser's
        phone.login("jt01")
        signature = signature_png()
        assert phone.upload(dispatched.record.id, signature, kind="signature").status_code == 201
        body = submission(dispatched.record, signature=sha(signature), inspected_on=date(2026, 3, 2))
        assert phone.put(body).status_code == 201

    login(page, live_server.url, "jt01")
    section = page.locator("section", has_text="我的检查任务")
    task = section.locator("article", has_text=dispatched.record.entity.name)
    expect(task).to_contain_text("已同步，检查日 2026-03-02，同步期限 2026-03-09（逾期同步）")
    expect(task.locator(".badge.warn")).to_have_text("逾期")
    expect(section.locator("article", has_text=waiting.entity.name)).to_contain_text("未检查 · 抽查期至")
    link = section.get_by_role("link", name="打开现场检查（可离线使用）")
    box = link.bounding_box()
    assert box["height"] >= 44
    screenshot(page, "field_api_inspector_home")
    task.scroll_into_view_if_needed()
    screenshot(page, "field_api_late_task", full_page=False)
