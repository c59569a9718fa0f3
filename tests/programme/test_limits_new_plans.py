"""Issue 12 §3: a new plan takes its entry and publication days from its jurisdiction's limits (not constants),
and the countdowns count with them; a plan keeps the days it was made with when the limits change later."""
import re

from sqlalchemy import select

from tests.plans.test_plans import form, submit
from tests.programme.helpers import place_world
from webapp.core.extensions import db
from webapp.domain import programme
from webapp.domain.programme import Limits
from webapp.stages.plans import limits
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.models import AnnualPlan, Plan
from webapp.stages.publication import programme as progress


def _prefilled(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def test_the_new_plan_form_starts_from_the_jurisdictions_days_and_the_plan_keeps_them(world, client, auth):
    places = place_world()
    auth.login("office")
    html = client.get("/plans/new").get_data(as_text=True)
    assert (_prefilled(html, "entry_days"), _prefilled(html, "publish_days")) == ("5", "20")  # no limits set

    limits.save(places["130606"].id, Limits(entry_days=7, publish_days=30))
    db.session.commit()
    html = client.get("/plans/new").get_data(as_text=True)
    days = {name: _prefilled(html, name) for name in ("entry_days", "publish_days")}
    assert days == {"entry_days": "7", "publish_days": "30"}

    page = submit(client, "/plans/new", form(**days)).get_data(as_text=True)
    assert "计划已保存" in page
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "保莲双随机办[2024]3号"))
    assert (plan.entry_days, plan.publish_days) == (7, 30)

    # the annual plan's publication countdown counts the plan's 30 working days after the end of the check
    annual = AnnualPlan(jurisdiction_id=places["130606"].id, year=2024, doc_number="保莲双随机办〔2024〕1号", title="T")
    db.session.add(annual)
    db.session.flush()
    plan.annual_plan_id = annual.id
    db.session.commit()
    shown = progress.progress(annual, today=plan.window_end)["tasks"][0]["publication"]
    assert shown == programme.countdown(current_calendar(), plan.window_end, 30, plan.window_end)
    assert shown.due == current_calendar().add_workdays(plan.window_end, 30).due

    # later limits are for plans made from then on
    limits.save(places["130606"].id, Limits(entry_days=3, publish_days=15))
    db.session.commit()
    db.session.refresh(plan)
    assert (plan.entry_days, plan.publish_days) == (7, 30)
    html = client.get("/plans/new").get_data(as_text=True)
    assert (_prefilled(html, "entry_days"), _prefilled(html, "publish_days")) == ("3", "15")


def test_another_districts_limits_are_not_this_offices(world, client, auth):
    places = place_world()
    limits.save(places["130602"].id, Limits(entry_days=9, publish_days=40))
    db.session.commit()
    auth.login("office")  # 莲池区's office
    html = client.get("/plans/new").get_data(as_text=True)
    assert (_prefilled(html, "entry_days"), _prefilled(html, "publish_days")) == ("5", "20")
