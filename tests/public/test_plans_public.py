"""公开在先 (issue 15 §1): a published annual plan and its tasks are public without sign-in — items with their legal
basis, departments, window, rules and ratios — and nothing of who was drawn or who inspects them until the plan's
window has closed; an unpublished annual plan does not exist for the public."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import screenshot
from tests.programme.helpers import place_world
from webapp.core import clock
from webapp.core.extensions import db
from webapp.stages.directory.models import InspectorProfile
from webapp.stages.plans.models import AnnualPlan


def _annual(world, places, published=True) -> AnnualPlan:
    annual = AnnualPlan(jurisdiction_id=places["130606"].id, year=world.current.window_start.year,
                        doc_number="保莲双随机办〔2026〕4号", title="莲池区2026年度双随机抽查计划", planned_tasks=1,
                        published_at=clock.utcnow() if published else None)
    db.session.add(annual)
    db.session.flush()
    world.current.annual_plan_id = annual.id
    db.session.commit()
    return annual


def _drawn_and_staffed(plan):
    """Both ceremonies, as the office runs them: the enterprises drawn, confirmed, and the teams drawn."""
    entities = factories.entity_draw(plan)
    factories.confirm_all(entities)
    teams = factories.inspector_draw(plan)
    assert teams.result["teams"]
    return [row[0] for row in entities.result["selected"]]


def test_anonymous_reads_the_plan_and_its_tasks_but_not_who_is_drawn_or_who_inspects(world, client):
    places = place_world()
    annual = _annual(world, places)
    drawn = _drawn_and_staffed(world.current)
    assert drawn

    listing = client.get("/public/plans").get_data(as_text=True)
    assert annual.title in listing and "莲池区" in listing
    assert annual.title in client.get("/public/plans?j=130606").get_data(as_text=True)
    assert annual.title not in client.get("/public/plans?j=130602").get_data(as_text=True)
    assert "/public/plans" in client.get("/public/").get_data(as_text=True)  # linked from the portal

    page = client.get(f"/public/plans/{annual.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert world.current.doc_number in html and "教体局" in html
    task = client.get(f"/public/plans/{annual.id}/tasks/{world.current.id}")
    assert task.status_code == 200
    html += task.get_data(as_text=True)
    item = world.current.items[0]
    assert item.legal_basis
    assert item.title in html and item.legal_basis.split("\n")[0][:20] in html
    assert f"{world.current.ratio_high}%" in html and world.current.category in html
    assert "检查时限届满" in html

    by_uscc = {e.uscc: e.name for e in world.entities}
    for uscc in drawn:
        assert uscc not in html and by_uscc[uscc] not in html
    for person in db.session.scalars(db.select(InspectorProfile)):
        assert person.name not in html and person.certificate_no not in html


def test_once_the_window_has_closed_the_task_links_to_the_revealed_list(world, client):
    places = place_world()
    annual = _annual(world, places)
    _drawn_and_staffed(world.current)
    world.current.window_end = clock.today() - timedelta(days=1)
    db.session.commit()
    html = client.get(f"/public/plans/{annual.id}/tasks/{world.current.id}").get_data(as_text=True)
    assert "抽取清单（检查对象和检查组）已公开" in html and "/public/draws/" in html


def test_an_unpublished_annual_plan_and_a_task_of_another_plan_are_404(world, client):
    places = place_world()
    hidden = _annual(world, places, published=False)
    assert client.get(f"/public/plans/{hidden.id}").status_code == 404
    assert client.get(f"/public/plans/{hidden.id}/tasks/{world.current.id}").status_code == 404
    assert hidden.title not in client.get("/public/plans").get_data(as_text=True)
    shown = AnnualPlan(jurisdiction_id=places["130606"].id, year=2023, doc_number="保莲双随机办〔2023〕4号",
                       title="2023", published_at=clock.utcnow())
    db.session.add(shown)
    db.session.commit()
    # the current plan is a task of the hidden plan, not of the published one
    assert client.get(f"/public/plans/{shown.id}/tasks/{world.current.id}").status_code == 404
    assert client.get("/public/plans/999999").status_code == 404


@pytest.mark.browser
def test_on_a_phone_the_portal_leads_to_the_plan_and_its_task(world, live_server, page):
    places = place_world()
    annual = _annual(world, places)
    _drawn_and_staffed(world.current)
    page.goto(f"{live_server.url}/public/")
    page.get_by_role("link", name="年度抽查计划公开").click()
    page.get_by_role("link", name=annual.title).click()
    expect(page.get_by_role("heading", name=annual.title)).to_be_visible()
    page.get_by_role("link", name=world.current.title).click()
    expect(page.get_by_role("heading", name="抽查事项及依据")).to_be_visible()
    expect(page.locator("#draw-status")).to_contain_text("检查时限届满")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "public-plan-task")
