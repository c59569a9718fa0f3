"""The demo carries the 2023 Lianchi plan exactly as the seed document states it."""
import re
from datetime import date

from sqlalchemy import func, select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import eligibility, risk, uscc
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.models import CheckItem, Entity, InspectorProfile
from webapp.stages.plans.models import Plan

from .conftest import SEED_TEXT


def _seed_items() -> dict[str, list[str]]:
    """The items under each department heading of section 三, split as the seed writes them (；)."""
    section = SEED_TEXT.split("三、抽查部门及抽查内容")[1].split("四、名单抽取及派发")[0]
    parts = re.split(r"（[一二三]）", section)[1:]
    out = {}
    for part in parts:
        lines = [line.strip() for line in part.strip().splitlines() if line.strip()]
        out[lines[0]] = [t.strip() for t in "".join(lines[1:]).rstrip("。").split("；") if t.strip()]
    return out


def test_the_fourteen_items_are_verbatim_under_their_departments(demo):
    expected = _seed_items()
    assert sum(len(v) for v in expected.values()) == 14
    for name, titles in expected.items():
        department = db.session.scalar(select(Department).where(Department.name == name))
        assert department is not None, name
        stored = db.session.scalars(
            select(CheckItem.title).where(CheckItem.department_id == department.id).order_by(CheckItem.position)
        ).all()
        assert stored == titles
    lianchi = select(Department.id).where(Department.jurisdiction.has(code="130606"))
    assert db.session.scalar(select(func.count()).select_from(CheckItem)
                             .where(CheckItem.department_id.in_(lianchi))) == 14


def test_every_item_has_check_points_and_methods(demo):
    for item in db.session.scalars(select(CheckItem)):
        assert len(item.points) >= 2 and item.methods


def test_the_2023_plan_as_the_seed_states_it(demo):
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "保莲双随机办[2023]10号"))
    assert plan.issuer == "保定市莲池区“双随机一公开”监管工作领导小组办公室"
    assert plan.issued_on == date(2023, 6, 1) and plan.based_on == "保莲双随机办〔2023〕4号"
    assert (plan.window_start, plan.window_end) == (date(2023, 6, 1), date(2023, 8, 31))
    assert plan.rules == eligibility.Rules(date(2023, 6, 1), 2022, ("合格",), "校外培训机构")
    assert plan.ratios == {"high": 100, "higher": 80, "general": 50, "low": 20} and plan.floor_percent == 5
    assert plan.lead_department.name == "莲池区教育和体育局"
    assert [d.department.name for d in plan.departments] == ["莲池区教育和体育局", "莲池区人社局", "莲池区卫健局"]
    assert sum(d.team_size for d in plan.departments) >= 2
    assert len(plan.items) == 14 and (plan.contact_name, plan.contact_phone) == ("白冬", "5078771")
    for fragment in (plan.doc_number, plan.issuer, plan.contact_name, plan.contact_phone, plan.based_on, plan.title):
        assert fragment.replace(" ", "") in SEED_TEXT.replace(" ", "")  # the seed's typesetting adds spaces


def test_a_current_plan_contains_today(demo):
    today = clock.today()
    assert db.session.scalar(
        select(func.count()).select_from(Plan).where(Plan.window_start <= today, Plan.window_end >= today)
    ) >= 1


def test_directory_has_valid_codes_all_risk_levels_and_each_kind_of_ineligible(demo):
    entities = db.session.scalars(select(Entity)).all()
    assert 250 <= len(entities) <= 350
    assert all(uscc.is_valid(e.uscc) for e in entities)
    assert {e.risk_level for e in entities} == set(risk.LEVELS)
    assert any(e.uscc.startswith("52") for e in entities) and any(e.uscc.startswith("91") for e in entities)
    names = [e.name for e in entities]
    assert len(set(names)) == len(names), "registered names are unique in a district"
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "保莲双随机办[2023]10号"))
    reasons = {eligibility.exclusion_reason(plan.rules, e.facts()) for e in entities}
    assert None in reasons
    for fragment in ("前未登记设立", "2022年度未年报", "当前状态为", "类别不是"):
        assert any(r and fragment in r for r in reasons), fragment


def test_roster_has_about_thirty_inspectors_with_certificates_and_experts(demo):
    profiles = db.session.scalars(select(InspectorProfile)).all()
    assert 25 <= len(profiles) <= 35
    assert len({p.certificate_no for p in profiles}) == len(profiles)
    assert all(p.certificate_no.isascii() for p in profiles)
    assert sum(p.is_expert for p in profiles) >= 3
    assert {p.department.code for p in profiles} == {"jiaoti", "renshe", "weijian"}


def test_demo_accounts_cover_every_role(demo):
    roles = set()
    for user in db.session.scalars(select(User)):
        roles |= user.roles
        assert user.check_password("lianchi2023") if user.username == "office" else True
    assert roles == {"office_admin", "dept_admin", "inspector", "expert", "reviewer"}


def test_demo_command_builds_the_database_without_serving(demo_command, runner):
    result = demo_command
    assert result.exit_code == 0, result.output
    assert "保莲双随机办[2023]10号" in result.output and "lianchi2023" in result.output
    listing = runner.invoke(args=["plans"])
    lines = listing.output.strip().splitlines()
    assert len(lines) >= 2
    first = lines[0].split("\t")
    assert first[1:] == ["保莲双随机办[2023]10号", "保定市莲池区教体局 2023年部门联合“双随机”抽查工作方案"]
    assert first[0].isdigit()


def test_demo_command_serves_the_app(tmp_path):
    """`spotcheck demo` really listens: started as a person would start it, then asked for /healthz once the
    server says it is running."""
    import json
    import os
    import queue
    import socket
    import subprocess
    import sys
    import threading
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/demo.db", MEDIA_ROOT=str(tmp_path / "media"),
               PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from webapp.faces.cli import main; main()", "demo", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout] + [lines.put(None)], daemon=True)
    reader.start()
    output = []
    try:
        # Werkzeug says "Running on http://127.0.0.1:<port>" once it listens (the demo's own line comes before).
        while not any("Running on" in line and f":{port}" in line for line in output):
            line = lines.get(timeout=120)
            assert line is not None, "".join(output)
            output.append(line)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as r:
            assert json.load(r)["database"] == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        reader.join(30)  # to the end of the output, then the pipe is closed
        proc.stdout.close()
    assert f"http://127.0.0.1:{port}/" in "".join(output)


def test_demo_command_publishes_example_results_through_the_real_services(demo_command, client):
    """A visitor of the demo's /public/ finds results: submitted as a phone does, approved, published."""
    from webapp.domain import findings as rules
    from webapp.domain.results import CATEGORIES
    from webapp.stages.publication.models import FollowUpTask
    from webapp.stages.records.models import InspectionRecord, Media

    result = demo_command
    assert result.exit_code == 0, result.output
    assert "已公示 4 份检查结果" in result.output
    published = db.session.scalars(
        select(InspectionRecord).where(InspectionRecord.status == "published").order_by(InspectionRecord.id)).all()
    assert len(published) == 4
    assert [r.refused for r in published].count(True) == 1
    for record in published:
        assert record.findings_hash == rules.findings_hash(record.findings, record.result_codes)
        assert db.session.scalar(select(Media).where(Media.record_id == record.id)) is not None
        page = client.get(f"/v/{record.token}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert record.entity.name in html
        assert all(CATEGORIES[code] in html for code in record.result_codes)
    assert db.session.scalar(select(FollowUpTask).where(FollowUpTask.record_id == published[3].id)) is not None
    portal = client.get("/public/", query_string={"q": published[0].entity.name}).get_data(as_text=True)
    assert published[0].entity.name in portal
    front = client.get("/public/").get_data(as_text=True)  # the latest results, without knowing a name
    assert "最近公示" in front and all(r.entity.name in front for r in published)
    assert "未按规定公示应当公示的信息；发现问题待后续处理" in front
    # jt01 still has dispatched tasks of the current plan for the phone demo.
    from webapp.stages.field.tasks import member_records

    jt01 = db.session.scalar(select(User).where(User.username == "jt01"))
    assert member_records(jt01, statuses=("dispatched",))


def test_demo_runs_both_ceremonies_and_every_demo_inspector_has_tasks(demo):
    from tests.factories import get_user
    from webapp.domain.draw import verify
    from webapp.faces.home.todo import my_records
    from webapp.stages.draw import disclosure
    from webapp.stages.draw.models import Draw

    current, jingxiu = demo["plans"][1], demo["plans"][2]
    draws = db.session.scalars(select(Draw).order_by(Draw.id)).all()
    assert [(d.plan_id, d.kind, d.status) for d in draws] == [(current.id, "entities", "executed"),
                                                              (current.id, "inspectors", "executed"),
                                                              (jingxiu.id, "entities", "executed"),
                                                              (jingxiu.id, "inspectors", "executed")]
    assert current.status == "drawn"
    for username in ("jt01", "jt02", "rs01", "wj01"):
        tasks = my_records(get_user(username))
        assert tasks and all(r.status == "dispatched" for r in tasks)
    for d in draws:
        assert all(ok for _, ok, _ in verify(disclosure.manifest(d)))


def test_jingxiu_has_its_own_published_plan_drawn_and_each_office_sees_only_its_own(demo, client, auth):
    from webapp.stages.draw import ceremony as service
    from webapp.stages.plans.models import AnnualPlan

    jingxiu = demo["plans"][2]
    assert jingxiu.annual_plan.jurisdiction.code == "130602" and jingxiu.annual_plan.published_at is not None
    assert jingxiu.jurisdiction_id == jingxiu.annual_plan.jurisdiction_id
    assert {pd.department.name for pd in jingxiu.departments} == {"竞秀区教育和体育局"}
    drawn = service.entity_draw(jingxiu.id)
    assert drawn is not None and all(row[0][2:8] == "130602" for row in drawn.result["selected"])
    lianchi_2023 = db.session.scalar(select(AnnualPlan).where(AnnualPlan.doc_number == "保莲双随机办〔2023〕4号"))
    assert lianchi_2023.published_at is not None
    public = client.get("/public/plans").get_data(as_text=True)
    assert jingxiu.annual_plan.title in public and lianchi_2023.title in public

    auth.login("jx_office")
    plans = client.get("/plans").get_data(as_text=True)
    assert jingxiu.doc_number in plans and demo["plans"][1].doc_number not in plans
    assert jingxiu.annual_plan.doc_number in client.get("/programme").get_data(as_text=True)
    auth.logout()
    auth.login("office")
    assert jingxiu.doc_number not in client.get("/plans").get_data(as_text=True)
