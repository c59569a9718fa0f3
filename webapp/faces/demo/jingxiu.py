"""竞秀区's own work in the demo: a few training institutions of the district, a small 教体局 roster, the
教体局's items, an annual plan of this year (filed and published) with one task, drawn through the real ceremonies,
so that jx_office and jx_jt_admin see their own plan, draw and lists (and 莲池区's office does not)."""
import random
from datetime import date, timedelta

from sqlalchemy import select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import risk, uscc
from webapp.faces.demo import directory, seed2023
from webapp.stages.accounts.models import User
from webapp.stages.directory import catalogue
from webapp.stages.directory.models import CheckItem, CheckPoint, Entity, InspectorProfile
from webapp.stages.draw import ceremony, confirmation
from webapp.stages.plans.models import AnnualPlan, AnnualPlanDepartment, Plan, PlanDepartment, PlanItem
from webapp.stages.records import dispatch

DISTRICT = "130602"
ENTITIES = 12
INSPECTORS = ["郑晓东", "冯丽娟", "韩志明"]
WITNESS = "竞秀区演示见证：观察员读数 03 11 29 36 40"


def _entities(jingxiu, today: date) -> list[Entity]:
    rng = random.Random(130602)
    levels = [risk.HIGH, risk.HIGHER, risk.HIGHER] + [risk.GENERAL] * 5 + [risk.LOW] * 4
    out, names = [], set()
    for i in range(ENTITIES):
        code = uscc.complete("52" + DISTRICT + "".join(rng.choice("0123456789") for _ in range(9)))
        name = None
        while name is None or name in names:
            name = f"保定市竞秀区{rng.choice(directory.BRANDS)}{rng.choice(directory.KINDS)}"
        names.add(name)
        registered = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 7 * 365))
        out.append(Entity(
            uscc=code, name=name, legal_rep=directory._name(rng),
            address=f"河北省保定市竞秀区{rng.choice(['朝阳北大街', '七一西路', '东风西路', '复兴西路'])}"
                    f"{rng.randrange(1, 1500)}号",
            registered_on=registered,
            annual_report_years=",".join(str(y) for y in range(registered.year + 1, today.year)),
            status="合格", risk_level=levels[i], category="校外培训机构", phone=f"0312-{rng.randrange(3000000, 3999999)}",
            jurisdiction_id=jingxiu.id))
    return out


def add(jingxiu, departments: dict, today: date | None = None) -> Plan:
    """`departments`: 竞秀区's, by code. Returns the task (drawn, both ceremonies)."""
    today = today or clock.today()
    year = today.year
    jiaoti = departments["jiaoti"]
    items = []
    for position, (title, methods, qualification, basis, points) in enumerate(seed2023.ITEMS["jiaoti"][:3]):
        items.append(CheckItem(department=jiaoti, title=title, methods=methods, legal_basis=basis,
                               required_qualification=qualification, position=position,
                               points=[CheckPoint(position=i, text=t) for i, t in enumerate(points)]))
    db.session.add_all(items)
    db.session.add_all(_entities(jingxiu, today))
    for i, name in enumerate(INSPECTORS, start=1):
        db.session.add(InspectorProfile(department=jiaoti, name=name, certificate_no=f"{DISTRICT}01{i:04d}",
                                        valid_from=date(2022, 1, 1), valid_to=date(2028, 12, 31),
                                        phone=f"1390312{i:04d}", qualifications=[]))
    db.session.flush()
    catalogue.record_initial(items)

    start = max(today - timedelta(days=3), date(year, 1, 1))
    annual = AnnualPlan(
        jurisdiction=jingxiu, year=year, doc_number=f"保竞双随机办〔{year}〕1号",
        title=f"保定市竞秀区{year}年度“双随机、一公开”抽查工作计划",
        issuer="保定市竞秀区“双随机一公开”监管工作领导小组办公室", issued_on=date(year, 1, 1),
        planned_tasks=1, departments=[AnnualPlanDepartment(department=jiaoti, position=0)],
        filed_on=start, filed_to_id=jingxiu.parent_id, published_at=clock.utcnow(),
        filed_by=db.session.scalar(select(User).where(User.username == "jx_office")))
    task = Plan(
        doc_number=f"保竞双随机办[{year}]3号", title=f"保定市竞秀区{year}年校外培训机构“双随机”抽查工作方案",
        issuer=annual.issuer, issued_on=start, based_on=annual.doc_number, window_start=start,
        window_end=start + timedelta(days=60), lead_department=jiaoti, jurisdiction_id=jingxiu.id,
        category="校外培训机构", registered_before=start, annual_report_year=year - 1, statuses=["合格"],
        ratio_high=100, ratio_higher=80, ratio_general=50, ratio_low=20, floor_percent=5, annual_plan=annual,
        departments=[PlanDepartment(department=jiaoti, team_size=2, position=0)],
        items=[PlanItem.copy_of(item, i) for i, item in enumerate(items)])
    db.session.add_all([annual, task])
    db.session.flush()
    _draw(task)
    return task


def _draw(task: Plan) -> None:
    office = db.session.scalar(select(User).where(User.username == "jx_office"))
    admin = db.session.scalar(select(User).where(User.username == "jx_jt_admin"))
    entities = ceremony.prepare(task, algo.ENTITIES, office, "demo")
    dispatch.execute(entities, WITNESS, office, "demo")
    db.session.flush()
    for conf in entities.confirmations:
        confirmation.confirm(conf, admin)
    db.session.flush()
    inspectors = ceremony.prepare(task, algo.INSPECTORS, office, "demo")
    dispatch.execute(inspectors, WITNESS, office, "demo")
