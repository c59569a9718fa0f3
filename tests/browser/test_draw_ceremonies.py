"""The office admin runs both draw ceremonies on a phone; the public sees them without signing in."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.accounts.models import User
from webapp.stages.draw import confirmation
from webapp.stages.draw.models import Draw
from webapp.stages.records.models import InspectionRecord

from .helpers import login, screenshot, wait_until

pytestmark = pytest.mark.browser


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_office_walks_through_both_ceremonies(world, live_server, page):
    base = live_server.url
    login(page, base, "office")
    page.get_by_text("白冬 ▾").click()
    page.locator(".menu nav").get_by_role("link", name="双随机抽取").click()
    page.get_by_role("link", name="进入抽取").first.click()  # plans newest first: the current plan
    assert page.url == f"{base}/draw/plans/{world.current.id}"

    page.get_by_role("button", name="准备检查对象抽取").click()
    draw = wait_until(lambda: db.session.scalar(select(Draw)), what="the prepared draw")
    expect(page.get_by_text(draw.commitment)).to_be_visible()
    expect(page.get_by_text(draw.population_digest)).to_be_visible()
    expect(page.get_by_text(draw.nonce)).to_have_count(0)
    no_sideways_scroll(page)
    screenshot(page, "draw-1-prepared")

    page.get_by_label("见证字符串（可不填）").fill("07 19 23 31 42")
    page.get_by_role("button", name="执行抽取").click()
    expect(page.get_by_text("抽取已执行，结果已公开")).to_be_visible()
    db.session.refresh(draw)
    assert draw.status == "executed"
    expect(page.get_by_text(draw.seed)).to_be_visible()
    expect(page.get_by_text("逾期未确认")).to_have_count(0)
    expect(page.get_by_text("各部门全部确认名单后，才能抽取执法人员。")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "draw-2-executed")

    admins = {u.department_id: u for u in db.session.scalars(select(User).where(User.username.like("%_admin")))}
    for conf in draw.confirmations:
        confirmation.confirm(conf, admins[conf.department_id])
    db.session.commit()

    page.reload()
    page.get_by_role("button", name="准备执法人员抽取与匹配").click()
    page.locator("section.ceremony", has_text="执法人员抽取与匹配").get_by_label("见证字符串（可不填）").fill("甲乙丙")
    page.get_by_role("button", name="执行抽取").click()
    expect(page.get_by_text("抽取已执行，结果已公开")).to_be_visible()
    count = db.session.scalar(select(db.func.count()).select_from(InspectionRecord))
    assert count == len(draw.result["selected"])
    expect(page.get_by_role("heading", name=f"已派发的一企一表（{count} 份）")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "draw-3-matched")
    page.get_by_text("检查组名单").click()
    first = db.session.scalar(select(InspectionRecord).order_by(InspectionRecord.id))
    leader = next(m for m in first.members if m.is_leader)
    expect(page.get_by_text(f"{leader.inspector.name}（组长）").first).to_be_visible()

    page.context.clear_cookies()
    page.goto(f"{base}/public/draws")
    insp = db.session.scalar(select(Draw).where(Draw.kind == "inspectors"))
    expect(page.get_by_text(f"第 {draw.id} 号 · 检查对象抽取")).to_be_visible()
    page.get_by_role("link", name=f"第 {insp.id} 号 · 执法人员抽取与匹配").click()
    page.wait_for_url(f"{base}/public/draws/{insp.id}")  # the draw's own page, loaded, before asking what it lacks
    page.wait_for_load_state()
    # Before the inspection window closes the public page commits to the manifest without revealing it.
    expect(page.get_by_role("link", name="下载清单（JSON）")).to_have_count(0)
    no_sideways_scroll(page)
    screenshot(page, "draw-4-public", full_page=False)  # the top of a long public page, as a phone shows it
