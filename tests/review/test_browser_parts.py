"""On a phone (360×740): the 人社局 reviewer approves its own part of a joint record, the 教体局 part stays
waiting; published per department, the public enterprise page and /v/<token> show each department's result, date
and 检查实施机关."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, screenshot
from tests.review.joint import JIAOTI, RENSHE, joint_record, statuses, user
from webapp.core.extensions import db
from webapp.stages.publication import publishing
from webapp.stages.review import service

pytestmark = pytest.mark.browser


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_reviewer_approves_their_departments_part_on_a_phone(world, live_server, page):
    record = joint_record(failed=("jiaoti",), codes=("corrected",))
    base = live_server.url
    login(page, base, "rs_review")
    page.goto(f"{base}/review/")
    row = page.locator(".queue-row", has_text=record.entity.name)
    expect(row.get_by_text(f"{RENSHE} 待审核")).to_be_visible()
    row.get_by_role("link").click()
    page.wait_for_url(f"{base}/review/records/{record.id}")
    mine = page.locator(".part[data-department=renshe]")
    expect(mine.get_by_role("checkbox", name="未发现问题")).to_be_checked()
    expect(page.locator(".part[data-department=jiaoti] form")).to_have_count(0)  # not its part to decide
    _fits_the_phone(page)
    screenshot(page, "parts-review-record")
    mine.get_by_role("button", name=f"{RENSHE}审核通过").click()
    page.wait_for_url(f"{base}/review/")
    expect(page.get_by_text(f"已审核通过：{record.entity.name}（{RENSHE}的部分）")).to_be_visible()
    assert statuses(record) == {"jiaoti": "submitted", "renshe": "approved"}

    # The part's history on the record page says who approved it.
    page.goto(f"{base}/review/records/{record.id}")
    expect(page.locator(".part[data-department=renshe] .part-status")).to_have_text("已通过，待公示")
    expect(page.locator(".part[data-department=renshe] .part-history")).to_contain_text("审核通过")
    _fits_the_phone(page)
    screenshot(page, "parts-review-after")

    # 教体局 reviews later; the office publishes the 人社局 part now, then the 教体局 part.
    publishing.publish([record], user("office"))
    db.session.commit()
    service.decide(record, user("jt_review"), "approve", "", codes=["corrected"])
    public = page.context.browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                              is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        p = public.new_page()
        p.goto(f"{base}/v/{record.token}")
        expect(p.get_by_text("部分部门已公示")).to_be_visible()
        expect(p.locator(".part", has_text=JIAOTI)).to_contain_text("已审核通过，待公示")
        expect(p.locator(".part", has_text=RENSHE)).to_contain_text("检查实施机关")
        _fits_the_phone(p)
        screenshot(p, "parts-verify-partly")
        publishing.publish([record], user("office"))
        db.session.commit()
        p.goto(f"{base}/public/enterprise/{record.entity.uscc}")
        expect(p.locator(".part", has_text=JIAOTI)).to_contain_text("发现问题已责令改正")
        expect(p.locator(".part", has_text=RENSHE)).to_contain_text("未发现问题")
        expect(p.get_by_text("检查实施机关")).to_have_count(2)
        _fits_the_phone(p)
        screenshot(p, "parts-enterprise")
        p.goto(f"{base}/v/{record.token}")
        expect(p.get_by_text("检查实施机关")).to_have_count(2)
        _fits_the_phone(p)
        screenshot(p, "parts-verify")
    finally:
        public.close()
