"""On a 360 px phone, as each party would (issue 15 "Done when"): an objection upheld changes the published result,
with the correction shown on the public page; a question asked by the enterprise, answered by the department,
and read by the enterprise on its page."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import login, screenshot
from tests.enterprise.helpers import published_with_follow_up
from tests.factories import department
from webapp.core.extensions import db
from webapp.domain.results import CATEGORIES, NO_PROBLEM, PENDING_FOLLOW_UP
from webapp.stages.enterprise.models import Objection, Question
from webapp.stages.review import parts as review_parts

pytestmark = pytest.mark.browser

CORRECTION = "经复核，该单位检查前已按规定公示，更正为未发现问题。"
ANSWER = "请于整改期限内通过本页上传整改照片，逾期未整改的将依法处理。"


def _enter(page, base_url, record):
    """The enterprise opens its page with the paper's token and its USCC."""
    page.goto(f"{base_url}/e/{record.token}")
    page.get_by_label("统一社会信用代码（18 位）").fill(record.entity.uscc)
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name=record.entity.name)).to_be_visible()


def _handler(page, base_url, username="wj_admin"):
    admin = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()
    login(admin, base_url, username)
    admin.goto(f"{base_url}/handling/")
    return admin


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_upheld_objection_changes_the_published_result_with_the_correction_shown(world, live_server, page):
    record, _ = published_with_follow_up()
    weijian = department("weijian")
    _enter(page, live_server.url, record)
    objection = page.locator("details", has=page.locator("summary", has_text=weijian.name))
    objection.locator("summary").click()
    objection.get_by_label("异议的事实和理由").fill("我单位已于检查前在门口公示栏公示收费标准，附照片可查。")
    objection.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("异议已提交，部门将在期限内答复。")).to_be_visible()
    screenshot(page, "enterprise-objection-filed")

    admin = _handler(page, live_server.url)
    admin.locator("section", has_text="异议待答复").get_by_role("link", name=record.entity.name).click()
    admin.get_by_label("答复意见（企业可见；异议成立的，作为更正说明公示）").fill(CORRECTION)
    admin.get_by_label(CATEGORIES[PENDING_FOLLOW_UP]).uncheck()
    admin.get_by_label(CATEGORIES[NO_PROBLEM]).check()
    admin.get_by_role("button", name="异议成立，更正结果").click()
    expect(admin.locator("#obj-status")).to_have_text(Objection.LABELS["upheld"])
    _no_sideways_scroll(admin)
    screenshot(admin, "enterprise-handling-objection")
    admin.context.close()

    page.goto(f"{live_server.url}/public/enterprise/{record.entity.uscc}")
    correction = page.locator(".correction")
    expect(correction).to_contain_text("经企业异议复核更正")
    expect(correction).to_contain_text(CORRECTION)
    expect(page.get_by_text(CATEGORIES[NO_PROBLEM]).first).to_be_visible()
    _no_sideways_scroll(page)
    screenshot(page, "public-result-corrected")
    db.session.expire_all()
    part = review_parts.part_of(record, weijian.id)
    assert part.result_codes == [NO_PROBLEM] and part.status == "published"


def test_a_question_answered_by_the_department_is_visible_to_the_enterprise(world, live_server, page):
    record, _ = published_with_follow_up()
    weijian = department("weijian")
    _enter(page, live_server.url, record)
    page.get_by_label("向哪个部门咨询").select_option(label=weijian.name)
    page.get_by_label("问题", exact=True).fill("整改材料需要提交哪些照片？")
    page.get_by_role("button", name="提交咨询").click()
    expect(page.get_by_text("问题已提交，部门答复后在本页显示。")).to_be_visible()
    expect(page.locator("#questions").get_by_text("待答复")).to_be_visible()

    admin = _handler(page, live_server.url, "wj_review")  # the reviewer answers too
    admin.locator("section", has_text="咨询待答复").get_by_role("link", name=record.entity.name).click()
    admin.get_by_label("答复（企业可见）").fill(ANSWER)
    admin.get_by_role("button", name="答复", exact=True).click()
    expect(admin.get_by_text("已答复，企业在其页面上可以看到。")).to_be_visible()
    admin.context.close()

    page.reload()
    questions = page.locator("#questions")
    expect(questions).to_contain_text("整改材料需要提交哪些照片？")
    expect(questions).to_contain_text(ANSWER)
    _no_sideways_scroll(page)
    screenshot(page, "enterprise-question-answered")
    question = db.session.scalar(select(Question))
    assert question.answer == ANSWER and question.department_id == weijian.id
