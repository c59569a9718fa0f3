"""`spotcheck demo`: the 2023 Lianchi plan from the seed, a directory, a roster, accounts, and a current plan."""
from datetime import date, timedelta
from functools import cache

from werkzeug.security import generate_password_hash

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.faces.demo import directory, seed2023
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.models import CheckItem, CheckPoint, Entity, InspectorProfile
from webapp.stages.plans.models import Plan, PlanDepartment, PlanItem

PASSWORD = "lianchi2023"


@cache
def _password_hash() -> str:
    """Every demo account has the printed password: one scrypt hash (~0.1 s of CPU) serves them all."""
    return generate_password_hash(PASSWORD)


# username, full name, roles, department code, certificate of the linked roster entry (index in its department)
ACCOUNTS = [
    ("office", "白冬", [roles.OFFICE_ADMIN], None, None),
    ("jt_admin", "教体局管理员", [roles.DEPT_ADMIN], "jiaoti", None),
    ("rs_admin", "人社局管理员", [roles.DEPT_ADMIN], "renshe", None),
    ("wj_admin", "卫健局管理员", [roles.DEPT_ADMIN], "weijian", None),
    ("jt_review", "教体局审核人", [roles.REVIEWER], "jiaoti", None),
    ("rs_review", "人社局审核人", [roles.REVIEWER], "renshe", None),
    ("wj_review", "卫健局审核人", [roles.REVIEWER], "weijian", None),
    ("jt01", None, [roles.INSPECTOR], "jiaoti", 0),
    ("jt02", None, [roles.INSPECTOR], "jiaoti", 1),
    ("rs01", None, [roles.INSPECTOR], "renshe", 0),
    ("wj01", None, [roles.INSPECTOR], "weijian", 0),
    ("jt_expert", None, [roles.EXPERT], "jiaoti", 13),
]


def load(today: date | None = None) -> dict:
    """Fill an empty, migrated database. Returns what was made, for the console."""
    today = today or clock.today()
    lianchi = jurisdictions.default()  # Hebei → 保定市 → 莲池区: the seed's office, its plans verbatim
    departments = {}
    for code, name, _ in seed2023.DEPARTMENTS:
        departments[code] = Department(code=code, name=name, jurisdiction=lianchi)
        db.session.add(departments[code])

    items = []
    for code, rows in seed2023.ITEMS.items():
        for position, (title, methods, qualification, basis, points) in enumerate(rows):
            item = CheckItem(
                department=departments[code], title=title, methods=methods, legal_basis=basis,
                required_qualification=qualification, position=position,
                points=[CheckPoint(position=i, text=t) for i, t in enumerate(points)],
            )
            items.append(item)
            db.session.add(item)

    db.session.add_all(Entity(**row) for row in directory.entities())

    profiles = {}
    for row in directory.inspectors():
        dept = row.pop("department")
        profile = InspectorProfile(department=departments[dept], **row)
        profiles.setdefault(dept, []).append(profile)
        db.session.add(profile)

    for username, full_name, role_codes, dept, index in ACCOUNTS:
        profile = profiles[dept][index] if index is not None else None
        user = User(
            username=username, full_name=full_name or profile.name,
            department=departments.get(dept), phone=profile.phone if profile else None, jurisdiction=lianchi,
        )
        user.password_hash = _password_hash()
        user.set_roles(role_codes)
        if profile:
            profile.user = user
        db.session.add(user)

    db.session.flush()
    plan_2023 = _plan(seed2023.PLAN, departments, items)
    year = today.year
    current = dict(
        seed2023.PLAN,
        doc_number=f"保莲双随机办[{year}]7号",
        title=f"保定市莲池区教体局 {year}年部门联合“双随机”抽查工作方案（第二批）",
        issued_on=today - timedelta(days=14),
        based_on=f"保莲双随机办〔{year}〕2号",
        window_start=today - timedelta(days=7),
        window_end=today + timedelta(days=75),
        registered_before=today - timedelta(days=14),
        annual_report_year=year - 1,
    )
    plan_now = _plan(current, departments, items)
    from webapp.faces.demo import programme as programme_demo  # 莲池区's 2023 annual plan, plan_2023 one task

    programme_demo.add(lianchi, departments, items, plan_2023, _plan)
    others, jx_departments = _neighbours()
    db.session.commit()
    from webapp.faces.demo import draw as draw_demo  # both ceremonies for the current plan: tasks on the demo phones
    from webapp.faces.demo import jingxiu as jingxiu_demo  # 竞秀区's own annual plan and task, drawn

    draw_demo.run(plan_now)
    plan_jx = jingxiu_demo.add(jurisdictions.ensure(*jurisdictions.JINGXIU), jx_departments, today)
    db.session.commit()
    return {"plans": [plan_2023, plan_now, plan_jx], "accounts": [a[0] for a in ACCOUNTS] + others,
            "password": PASSWORD}


# The city above and the district beside 莲池区: (username, full name, roles, jurisdiction, department code).
NEIGHBOUR_ACCOUNTS = [
    ("baoding", "保定市双随机办", [roles.OFFICE_ADMIN], jurisdictions.BAODING, None),
    ("jx_office", "竞秀区双随机办", [roles.OFFICE_ADMIN], jurisdictions.JINGXIU, None),
    ("jx_jt_admin", "竞秀区教体局管理员", [roles.DEPT_ADMIN], jurisdictions.JINGXIU, "jiaoti"),
    ("jx_jt_review", "竞秀区教体局审核人", [roles.REVIEWER], jurisdictions.JINGXIU, "jiaoti"),
]


def _neighbours() -> tuple[list[str], dict[str, Department]]:
    """竞秀区 with its office and the same three departments (codes as 莲池区's: unique per jurisdiction), and a
    city admin of 保定市 who sees both districts. The usernames made and 竞秀区's departments by code."""
    jingxiu = jurisdictions.ensure(*jurisdictions.JINGXIU)
    jx_departments = {}
    for code, name, _ in seed2023.DEPARTMENTS:
        jx_departments[code] = Department(code=code, name=name.replace("莲池区", "竞秀区"), jurisdiction=jingxiu)
        db.session.add(jx_departments[code])
    made = []
    for username, full_name, role_codes, place, dept in NEIGHBOUR_ACCOUNTS:
        user = User(username=username, full_name=full_name, jurisdiction=jurisdictions.ensure(*place),
                    department=jx_departments.get(dept) if place == jurisdictions.JINGXIU else None)
        user.password_hash = _password_hash()
        user.set_roles(role_codes)
        db.session.add(user)
        made.append(username)
    return made, jx_departments


def _plan(fields: dict, departments: dict, items: list) -> Plan:
    plan = Plan(lead_department=departments[seed2023.LEAD], **fields)
    plan.departments = [
        PlanDepartment(department=departments[code], team_size=size, position=i)
        for i, (code, _, size) in enumerate(seed2023.DEPARTMENTS)
    ]
    plan.items = [PlanItem.copy_of(item, i) for i, item in enumerate(items)]
    db.session.add(plan)
    return plan
