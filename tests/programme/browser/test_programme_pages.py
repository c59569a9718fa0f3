"""The annual plan's page on a phone: its progress, its tasks' time limits, nothing wider than 360 px."""
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import login, screenshot
from tests.programme.helpers import place_world
from webapp.core.extensions import db
from webapp.stages.plans import annual as annuals
from webapp.stages.plans.models import AnnualPlan, AnnualPlanDepartment

pytestmark = pytest.mark.browser


def test_the_annual_plan_page_on_a_phone(world, live_server, page):
    places = place_world()
    annual = AnnualPlan(jurisdiction_id=places["130606"].id, year=2023, doc_number="保莲双随机办〔2023〕4号",
                        title="保定市莲池区2023年度“双随机、一公开”抽查工作计划", planned_tasks=2,
                        departments=[AnnualPlanDepartment(department_id=factories.department(c).id, position=i)
                                     for i, c in enumerate(("jiaoti", "renshe", "weijian"))])
    db.session.add(annual)
    db.session.flush()
    annuals.link_task(annual, world.old)
    db.session.commit()
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/programme/{annual.id}")
    expect(page.get_by_role("heading", name="全年进度")).to_be_visible()
    expect(page.get_by_text("公示时限：检查结束后 20 个工作日内")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "programme-show")
    page.goto(f"{live_server.url}/programme/limits")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "programme-limits")
