"""The annual plan's progress figures, counted in SQL, against figures counted by hand."""
from datetime import timedelta

from tests import factories
from tests.programme.helpers import place_world
from webapp.core import clock
from webapp.core.extensions import db
from webapp.stages.plans import annual as annuals
from webapp.stages.plans.models import AnnualPlan, AnnualPlanDepartment
from webapp.stages.publication.programme import figures, progress
from webapp.stages.review.models import ReviewPart


def _record(plan, target, team, status, late=False, sync_due=None, parts=()):
    r = factories.dispatched(plan, target, team)
    r.status, r.late, r.sync_due = status, late, sync_due
    if status != "dispatched":
        r.inspected_on = clock.today()
    for position, (code, part_status) in enumerate(parts):
        db.session.add(ReviewPart(record_id=r.id, department_id=factories.department(code).id, position=position,
                                  status=part_status))
    db.session.commit()
    return r


def test_figures_per_task_and_department_match_a_hand_count(world):
    places = place_world()
    plan = world.current
    drawn = factories.entity_draw(plan)
    factories.confirm_all(drawn)
    n_drawn = len(drawn.result["selected"])
    e = world.entities
    yesterday = clock.today() - timedelta(days=1)
    _record(plan, e[0], ("jt01", "rs01"), "published", parts=[("jiaoti", "published"), ("renshe", "published")])
    _record(plan, e[1], ("jt01", "rs01"), "submitted", late=True, parts=[("jiaoti", "approved"), ("renshe", "submitted")])
    _record(plan, e[2], ("jt02",), "dispatched")
    _record(plan, e[3], ("rs01",), "dispatched", sync_due=yesterday)

    got = figures([plan.id])
    task = got["tasks"][plan.id]
    assert {k: task[k] for k in ("drawn", "dispatched", "inspected", "on_time", "reviewed", "published",
                                 "entry_overdue")} == {
        "drawn": n_drawn, "dispatched": 4, "inspected": 2, "on_time": 1, "reviewed": 1, "published": 1,
        "entry_overdue": 2}
    assert (task["completion"], task["on_time_rate"], task["publication_rate"]) == (0.5, 0.5, 0.5)
    jt, rs, wj = (factories.department(c).id for c in ("jiaoti", "renshe", "weijian"))
    dept = got["departments"]
    assert {k: dept[(plan.id, jt)][k] for k in ("dispatched", "inspected", "on_time", "reviewed", "published")} == {
        "dispatched": 3, "inspected": 2, "on_time": 1, "reviewed": 2, "published": 1}
    assert {k: dept[(plan.id, rs)][k] for k in ("dispatched", "inspected", "on_time", "reviewed", "published")} == {
        "dispatched": 3, "inspected": 2, "on_time": 1, "reviewed": 1, "published": 1}
    assert dept[(plan.id, wj)]["dispatched"] == 0 and dept[(plan.id, wj)]["completion"] is None
    assert dept[(plan.id, jt)]["drawn"] == n_drawn

    annual = AnnualPlan(jurisdiction_id=places["130606"].id, year=plan.window_start.year, doc_number="保莲双随机办〔X〕4号",
                        title="年度计划", planned_tasks=2,
                        departments=[AnnualPlanDepartment(department_id=i, position=p) for p, i in enumerate((jt, rs, wj))])
    db.session.add(annual)
    db.session.flush()
    annuals.link_task(annual, plan)
    db.session.commit()
    p = progress(annual)
    assert p["total"]["dispatched"] == 4 and p["total"]["published"] == 1
    by = {d.id: f for d, f in p["departments"]}
    assert by[jt]["reviewed"] == 2 and by[rs]["reviewed"] == 1 and by[jt]["publication_rate"] == 0.5
    (t,) = p["tasks"]
    assert not t["publication"].missed and t["publication"].due > plan.window_end
    late = progress(annual, today=plan.window_end + timedelta(days=60))
    assert late["tasks"][0]["publication"].missed


def test_a_task_of_another_year_or_with_other_departments_is_refused(world):
    import pytest

    places = place_world()
    annual = AnnualPlan(jurisdiction_id=places["130606"].id, year=2023, doc_number="保莲双随机办〔2023〕4号",
                        title="2023年度", departments=[AnnualPlanDepartment(department_id=factories.department("jiaoti").id)])
    db.session.add(annual)
    db.session.flush()
    with pytest.raises(annuals.AnnualRefused, match="不属于 2023 年度计划"):
        annuals.link_task(annual, world.current)  # a window of this year, not 2023
    with pytest.raises(annuals.AnnualRefused, match="不在年度计划的参与部门中"):
        annuals.link_task(annual, world.old)
