"""The demo's annual programme: 莲池区's 2023 annual plan (保莲双随机办〔2023〕4号) with the seed's plan verbatim as
one task and a second task in the autumn, filed to 保定市 and published (公开在先); the catalogue's first versions."""
from datetime import date, datetime, timezone

from sqlalchemy import select

from webapp.core.extensions import db
from webapp.faces.demo import seed2023
from webapp.stages.accounts.models import User
from webapp.stages.directory import catalogue
from webapp.stages.plans.models import AnnualPlan, AnnualPlanDepartment, Plan

AUTUMN = dict(
    seed2023.PLAN,
    doc_number="保莲双随机办[2023]15号",
    title="保定市莲池区2023年下半年校外培训机构部门联合“双随机”抽查工作方案",
    issued_on=date(2023, 9, 25),
    window_start=date(2023, 10, 9),
    window_end=date(2023, 11, 30),
)


def add(lianchi, departments: dict, items: list, plan_2023: Plan, make_plan) -> AnnualPlan:
    """The annual plan, its two tasks (the seed's and AUTUMN, made by `make_plan`), filed on its issue date."""
    catalogue.record_initial(items)
    autumn = make_plan(AUTUMN, departments, items)
    annual = AnnualPlan(
        jurisdiction=lianchi, year=2023, doc_number=seed2023.PLAN["based_on"],
        title="保定市莲池区2023年度“双随机、一公开”抽查工作计划",
        issuer=seed2023.PLAN["issuer"], issued_on=date(2023, 3, 1), planned_tasks=2,
        departments=[AnnualPlanDepartment(department=departments[code], position=i)
                     for i, (code, _, _) in enumerate(seed2023.DEPARTMENTS)],
        filed_on=date(2023, 3, 3), filed_to_id=lianchi.parent_id,
        published_at=datetime(2023, 3, 3, 1, 0, tzinfo=timezone.utc),  # 09:00 in Beijing
        filed_by=db.session.scalar(select(User).where(User.username == "office")),
    )
    db.session.add(annual)
    plan_2023.annual_plan = annual
    autumn.annual_plan = annual
    db.session.flush()
    return annual
