"""A reviewer on a phone approves one record and returns another with a comment."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import login, screenshot
from tests.factories import record_for_review
from webapp.core.extensions import db
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review.models import ReviewEvent
from webapp.stages.review.parts import parts_of

pytestmark = pytest.mark.browser


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_reviewer_approves_one_and_returns_another_on_a_phone(world, live_server, page):
    good = record_for_review(departments=("jiaoti", "renshe"), photos=2)
    doubtful = record_for_review(departments=("jiaoti",), codes=("corrected",), fail=True, photos=1)
    base = live_server.url
    login(page, base, "jt_review")
    expect(page.locator("#review-waiting")).to_have_text("2")
    page.get_by_role("link", name="审核队列 · 待审核").click()
    page.wait_for_url(f"{base}/review/")
    _fits_the_phone(page)
    screenshot(page, "review-queue")

    page.get_by_role("link", name=good.entity.name).click()
    page.wait_for_url(f"{base}/review/records/{good.id}")
    thumbs = page.locator(".thumbs img")
    expect(thumbs).to_have_count(4)  # two per department
    for n in range(4):  # each thumbnail loads once looked at (they load lazily; a busy machine may be slow)
        thumbs.nth(n).scroll_into_view_if_needed()
        page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=thumbs.nth(n).element_handle())
    expect(page.get_by_text("与签名时一致")).to_be_visible()
    _fits_the_phone(page)
    screenshot(page, "review-record")
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_url(f"{base}/review/")
    expect(page.get_by_text(f"已审核通过：{good.entity.name}")).to_be_visible()

    page.get_by_role("link", name=doubtful.entity.name).click()
    page.get_by_role("button", name="退回补充").click()  # without a comment: refused, said in Chinese
    expect(page.get_by_text("退回时必须填写退回意见")).to_be_visible()
    page.get_by_label("审核意见").fill("请补充消防通道整改后的照片，并写明整改期限。")
    page.get_by_role("button", name="退回补充").click()
    page.wait_for_url(f"{base}/review/")
    expect(page.get_by_text(f"已退回：{doubtful.entity.name}")).to_be_visible()
    expect(page.get_by_text("没有符合条件的检查表。")).to_be_visible()
    _fits_the_phone(page)
    screenshot(page, "review-after-decisions")

    page.get_by_role("link", name="已退回").click()
    page.get_by_role("link", name=doubtful.entity.name).click()
    # In the part's history and in the record's: the first is 教体局's part.
    expect(page.locator(".part-history").get_by_text("请补充消防通道整改后的照片")).to_be_visible()
    screenshot(page, "review-returned-record")

    db.session.expire_all()
    # 谁抽查、谁录入、谁公示: 教体局 approved its part; 人社局's still waits for its own reviewer.
    good = db.session.get(InspectionRecord, good.id)
    assert good.status == "submitted"
    assert {p.department.code: p.status for p in parts_of(good)} == {"jiaoti": "approved", "renshe": "submitted"}
    assert db.session.get(InspectionRecord, doubtful.id).status == "returned"
    comments = db.session.scalars(select(ReviewEvent.comment).where(ReviewEvent.action == "return")).all()
    assert comments == ["请补充消防通道整改后的照片，并写明整改期限。"]


def test_print_view_and_dashboard_fit_a_phone(world, live_server, page):
    record = record_for_review(departments=("jiaoti", "renshe"), refused=True, photos=2)
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/reports/records/{record.id}/print")
    expect(page.get_by_role("heading", name="随机抽查联合检查记录表")).to_be_visible()
    _fits_the_phone(page)
    screenshot(page, "record-print")
    page.goto(f"{live_server.url}/reports/dashboard?plan={record.plan_id}")
    expect(page.locator("svg.chart").nth(1)).to_be_visible()  # two charts at least
    _fits_the_phone(page)
    screenshot(page, "dashboard")
