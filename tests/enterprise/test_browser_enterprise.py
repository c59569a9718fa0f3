"""On a 360 px phone, as each party would: the enterprise scans its paper QR, enters its USCC, sees its findings
and uploads rectification evidence that the department accepts (the public page shows the closing); a member of
the public files a 举报 with a photo, follows it with the receipt, and the department handles it."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import login, screenshot
from tests.enterprise.helpers import CONTACT, jpeg_with_gps, published_with_follow_up
from tests.factories import department
from tests.qr.decode import decode_data_url
from webapp.core import qrcodes as images
from webapp.core.extensions import db
from webapp.stages.enterprise.models import Rectification, TipOff

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_enterprise_scans_its_qr_uploads_evidence_and_the_department_closes_the_follow_up(
        world, app, live_server, page, tmp_path):
    app.config["PUBLIC_BASE_URL"] = live_server.url
    record, task = published_with_follow_up()
    with app.test_request_context("/"):
        (url,) = decode_data_url(images.record_qr_data_url(record))
    page.goto(url)
    page.get_by_role("link", name="被检查单位：查看本单位检查情况、整改、异议与咨询").click()
    page.get_by_label("统一社会信用代码（18 位）").fill(record.entity.uscc)
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name=record.entity.name)).to_be_visible()
    expect(page.get_by_text("检查情况（现场签字确认的记录）")).to_be_visible()
    expect(page.get_by_text("整改中")).to_be_visible()
    _no_sideways_scroll(page)
    screenshot(page, "enterprise-page")

    photo = tmp_path / "整改.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.get_by_label("整改情况说明").fill("已清理消防通道，张贴疏散标识。")
    page.get_by_label("整改证明材料（照片或 PDF，最多 3 个，每个不超过 10 MB）").set_input_files(str(photo))
    page.get_by_role("button", name="提交整改材料").click()
    expect(page.get_by_text("整改材料已提交，请等待部门审核。")).to_be_visible()
    rect = db.session.scalar(select(Rectification))

    admin = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()
    login(admin, live_server.url, "wj_admin")
    admin.goto(f"{live_server.url}/handling/")
    admin.get_by_role("link", name=record.entity.name).click()
    expect(admin.get_by_role("img", name="附件 整改.jpg")).to_be_visible()
    admin.get_by_role("button", name="认可整改，办结后续监管").click()
    expect(admin.locator("#rect-status")).to_have_text("已认可，后续监管已办结")
    screenshot(admin, "enterprise-handling-rectification")
    admin.context.close()

    page.goto(f"{live_server.url}/public/enterprise/{record.entity.uscc}")
    expect(page.get_by_text("已办结").first).to_be_visible()
    db.session.expire_all()
    assert rect.status == "accepted" and rect.follow_up.status == "closed"


def test_public_files_a_tipoff_with_a_photo_follows_it_and_the_department_handles_it(
        world, app, live_server, page, tmp_path):
    record, _ = published_with_follow_up()
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.goto(f"{live_server.url}/jubao/")
    page.get_by_label("被举报的企业（机构）名称或统一社会信用代码").fill(record.entity.name)
    page.get_by_label("举报事项").select_option(index=1)
    page.get_by_label("看到的情况").fill("晚上十点后仍有学生在教室上课，消防通道堆放杂物。")
    page.get_by_label("照片或材料（可选，JPEG、PNG 或 PDF，最多 3 个，每个不超过 10 MB）").set_input_files(str(photo))
    page.get_by_label("您的联系方式（可选，仅办理部门可见）").fill(CONTACT)
    _no_sideways_scroll(page)
    screenshot(page, "tipoff-form")
    page.get_by_role("button", name="提交举报").click()
    expect(page.get_by_role("heading", name="举报已受理登记")).to_be_visible()
    receipt, code = page.locator("#receipt").inner_text(), page.locator("#code").inner_text()
    assert CONTACT not in page.content()
    screenshot(page, "tipoff-receipt")
    tip = db.session.scalar(select(TipOff))
    handler = {department(c).id: u for c, u in (("jiaoti", "jt_admin"), ("renshe", "rs_admin"),
                                                  ("weijian", "wj_admin"))}[tip.department_id]

    admin = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()
    login(admin, live_server.url, handler)
    admin.goto(f"{live_server.url}/handling/")
    admin.get_by_role("link", name=receipt).click()
    expect(admin.get_by_text(CONTACT)).to_be_visible()
    expect(admin.get_by_role("img", name="附件 现场.jpg")).to_be_visible()
    admin.get_by_label("处理方式").select_option("accept")
    admin.get_by_label("处理说明（办结、转办必填；举报人凭查询码可见，勿写举报人信息）").fill("已受理，将安排核查。")
    admin.get_by_role("button", name="提交").click()
    expect(admin.locator("#tip-status")).to_have_text("已受理，正在核查")
    screenshot(admin, "tipoff-handling")
    admin.context.close()

    page.goto(f"{live_server.url}/jubao/follow")
    page.get_by_label("受理编号").fill(receipt)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#tip-status")).to_have_text("已受理，正在核查")
    expect(page.get_by_text("已受理，将安排核查。")).to_be_visible()
    assert CONTACT not in page.content()
    _no_sideways_scroll(page)
    screenshot(page, "tipoff-follow")
