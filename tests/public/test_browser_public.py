"""A member of the public, on a phone: searches the portal, opens an enterprise, verifies a record by its QR;
an enterprise scans an inspector's credential; the inspector shows it full screen."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, screenshot
from tests.factories import approved_record, current_plan, directory_entities, old_plan, private_strings
from tests.qr.decode import decode_data_url
from webapp.core import qrcodes as images
from webapp.core.extensions import db
from webapp.stages.publication import publishing

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_public_searches_opens_an_enterprise_and_verifies_a_record_by_its_qr(world, app, live_server, page):
    app.config["PUBLIC_BASE_URL"] = live_server.url
    entity = directory_entities(1)[0]
    older = approved_record(old_plan(), entity, codes=["corrected", "not_disclosed"])
    record = approved_record(current_plan(), entity, codes=["follow_up"], failed=["weijian"])
    publishing.publish([older, record])
    db.session.commit()

    page.goto(f"{live_server.url}/public/")
    page.get_by_label("企业（机构）名称或统一社会信用代码").fill(entity.name[6:12])
    page.get_by_role("button", name="查询").click()
    link = page.get_by_role("link", name=entity.name)
    expect(link).to_be_visible()
    _no_sideways_scroll(page)
    screenshot(page, "public-search")

    link.click()
    expect(page.get_by_role("heading", name=entity.name)).to_be_visible()
    expect(page.get_by_text("发现问题待后续处理")).to_be_visible()
    expect(page.get_by_text("处理中")).to_be_visible()
    html = page.content()
    for secret in private_strings(record) + private_strings(older):
        assert secret not in html
    _no_sideways_scroll(page)
    screenshot(page, "public-enterprise")

    # The QR printed on the 一企一表, read by a real decoder, then opened as the phone's camera would.
    with app.test_request_context("/"):
        (url,) = decode_data_url(images.record_qr_data_url(record))
    assert url == f"{live_server.url}/v/{record.token}"
    page.goto(url)
    expect(page.get_by_role("heading", name="真实有效的检查记录")).to_be_visible()
    expect(page.get_by_text(record.plan.title).first).to_be_visible()
    for secret in private_strings(record):
        assert secret not in page.content()
    _no_sideways_scroll(page)
    screenshot(page, "public-verify-record")

    page.goto(f"{live_server.url}/v/forged0000000000000000")
    expect(page.get_by_role("heading", name="✘ 不是真实的检查记录")).to_be_visible()
    screenshot(page, "public-verify-forged")


def test_inspector_shows_the_credential_and_the_enterprise_checks_it(world, app, live_server, browser, page):
    from tests.browser.conftest import PHONE

    app.config["PUBLIC_BASE_URL"] = live_server.url
    entity = directory_entities(1)[0]
    approved_record(current_plan(), entity, status="dispatched", team=("jt01", "rs01"))
    login(page, live_server.url, "jt01")
    page.goto(f"{live_server.url}/qr/credential")
    qr = page.get_by_role("img", name="执法证件核验二维码")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 250  # big enough to scan from a phone held at arm's length
    (url,) = decode_data_url(qr.get_attribute("src"))
    _no_sideways_scroll(page)
    screenshot(page, "qr-credential-inspector")

    enterprise = browser.new_context(**PHONE).new_page()  # the enterprise's own phone, not signed in
    enterprise.goto(url)
    expect(enterprise.get_by_role("heading", name="✔ 执法证件有效")).to_be_visible()
    enterprise.get_by_label("输入本单位统一社会信用代码核对").fill(entity.uscc)
    enterprise.get_by_role("button", name="核对").click()
    expect(enterprise.get_by_text("是：该执法人员在当前抽查计划")).to_be_visible()
    _no_sideways_scroll(enterprise)
    screenshot(enterprise, "qr-credential-enterprise")
    enterprise.context.close()


def test_office_prints_check_in_posters(world, app, live_server, page):
    app.config["PUBLIC_BASE_URL"] = live_server.url
    plan = current_plan()
    approved = [approved_record(plan, e, status="approved") for e in directory_entities(2)]
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/qr/posters/entity/{directory_entities(1)[0].id}")
    expect(page.get_by_text("执法人员到达后请扫码登记入企")).to_be_visible()
    screenshot(page, "qr-poster")
    page.goto(f"{live_server.url}/publication/plans/{plan.id}")
    expect(page.get_by_text(approved[0].entity.name).first).to_be_visible()  # one line per department
    _no_sideways_scroll(page)
    screenshot(page, "publication-plan")
    page.get_by_role("button", name="公示全部 6 项").click()  # per department: 2 records × 3 parts
    expect(page.get_by_text("已公示 2 份检查表。")).to_be_visible()
    screenshot(page, "publication-plan-done")
    db.session.expire_all()
    assert {r.status for r in approved} == {"published"}


def test_department_admin_closes_a_follow_up_on_the_phone(world, app, live_server, page, tmp_path):
    from PIL import Image

    record = approved_record(current_plan(), directory_entities(1)[0], codes=["follow_up"], failed=["weijian"])
    publishing.publish([record])
    db.session.commit()
    photo = tmp_path / "rectified.jpg"
    Image.new("RGB", (800, 600), (40, 120, 60)).save(photo, "JPEG")
    login(page, live_server.url, "wj_admin")
    page.goto(f"{live_server.url}/followup/")
    page.get_by_role("link", name=record.entity.name).click()
    page.get_by_label("整改或处理结果（必填）").fill("已责令整改，2 个工作日后复查，消防通道已清理。")
    page.get_by_label("证明材料照片（可选，JPEG 或 PNG）").set_input_files(str(photo))
    _no_sideways_scroll(page)
    screenshot(page, "followup-close-form")
    page.get_by_role("button", name="确认办结").click()
    expect(page.get_by_text("已办结，公示页面将显示“已办结”。")).to_be_visible()
    img = page.get_by_role("img", name="办结证明材料")
    # The thumbnail may still be on its way on a busy machine (an image not loaded yet has no size, so is not
    # "visible"): wait for it to load, then for it to show, then check its size.
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
    expect(img).to_be_visible()
    assert img.evaluate("i => i.naturalWidth") == 320
    screenshot(page, "followup-closed")
    page.goto(f"{live_server.url}/public/enterprise/{record.entity.uscc}")
    expect(page.get_by_text("已办结").first).to_be_visible()


def test_office_withdraws_a_publication_on_the_phone_and_the_qr_page_says_why(world, app, live_server, page):
    record = approved_record(current_plan(), directory_entities(1)[0], codes=["no_problem"])
    publishing.publish([record])
    db.session.commit()
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/publication/plans/{record.plan_id}")
    withdraw = page.locator("details.withdraw").first  # one per department's part: 教体局's
    withdraw.get_by_text("撤回公示").click()
    withdraw.get_by_label("撤回理由（将在该记录的核验页面公开）").fill("检查日期录入有误，更正后重新公示。")
    _no_sideways_scroll(page)
    screenshot(page, "publication-withdraw-form")
    withdraw.get_by_role("button", name="确认撤回，退回审核").click()
    expect(page.get_by_text(f"已撤回“{record.entity.name}”的公示")).to_be_visible()
    page.context.clear_cookies()  # a member of the public now
    page.goto(f"{live_server.url}/v/{record.token}")
    expect(page.get_by_text("此前的公示已撤回")).to_be_visible()
    expect(page.get_by_text("检查日期录入有误，更正后重新公示。", exact=False)).to_be_visible()
    _no_sideways_scroll(page)
    screenshot(page, "verify-withdrawn")
