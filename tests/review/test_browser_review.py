"""A reviewer on a phone approves one record and returns another with a comment."""
import pytest
from sqlalchemy import select

from tests.browser.helpers import login, screenshot
from tests.review.factory import make_record
from webapp.core.extensions import db
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review.models import ReviewEvent

pytestmark = pytest.mark.browser


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_reviewer_approves_one_and_returns_another_on_a_phone(demo, live_server, page):
    good = make_record(departments=("jiaoti", "renshe"), photos=2)
    doubtful = make_record(departments=("jiaoti",), codes=("corrected",), fail=True, photos=1)
    base = live_server.url
    login(page, base, "jt_review")
    assert page.locator("#review-waiting").inner_text() == "2"
    page.get_by_role("link", name="审核队列 · 待审核").click()
    page.wait_for_url(f"{base}/review/")
    _fits_the_phone(page)
    screenshot(page, "review-queue")

    page.get_by_role("link", name=good.entity.name).click()
    page.wait_for_url(f"{base}/review/records/{good.id}")
    thumbs = page.locator(".thumbs img")
    assert thumbs.count() == 4  # two per department
    for n in range(4):  # each thumbnail loads (waited for: a busy machine may still be fetching it)
        page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=thumbs.nth(n).element_handle())
    assert page.get_by_text("与签名时一致").is_visible()
    _fits_the_phone(page)
    screenshot(page, "review-record")
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_url(f"{base}/review/")
    assert page.get_by_text(f"已审核通过：{good.entity.name}").is_visible()

    page.get_by_role("link", name=doubtful.entity.name).click()
    page.get_by_role("button", name="退回补充").click()  # without a comment: refused, said in Chinese
    assert page.get_by_text("退回时必须填写退回意见").is_visible()
    page.get_by_label("审核意见").fill("请补充消防通道整改后的照片，并写明整改期限。")
    page.get_by_role("button", name="退回补充").click()
    page.wait_for_url(f"{base}/review/")
    assert page.get_by_text(f"已退回：{doubtful.entity.name}").is_visible()
    assert page.get_by_text("没有符合条件的检查表。").is_visible()
    _fits_the_phone(page)
    screenshot(page, "review-after-decisions")

    page.get_by_role("link", name="已退回").click()
    page.get_by_role("link", name=doubtful.entity.name).click()
    assert page.get_by_text("请补充消防通道整改后的照片").is_visible()
    screenshot(page, "review-returned-record")

    db.session.expire_all()
    assert db.session.get(InspectionRecord, good.id).status == "approved"
    assert db.session.get(InspectionRecord, doubtful.id).status == "returned"
    comments = db.session.scalars(select(ReviewEvent.comment).where(ReviewEvent.action == "return")).all()
    assert comments == ["请补充消防通道整改后的照片，并写明整改期限。"]


def test_print_view_and_dashboard_fit_a_phone(demo, live_server, page):
    record = make_record(departments=("jiaoti", "renshe"), refused=True, photos=2)
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/reports/records/{record.id}/print")
    assert page.get_by_role("heading", name="随机抽查联合检查记录表").is_visible()
    _fits_the_phone(page)
    screenshot(page, "record-print")
    page.goto(f"{live_server.url}/reports/dashboard?plan={record.plan_id}")
    assert page.locator("svg.chart").count() >= 2
    _fits_the_phone(page)
    screenshot(page, "dashboard")
