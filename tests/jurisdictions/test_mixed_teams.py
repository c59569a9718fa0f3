"""Mixed-district teams (issue 12 §1): a city-wide plan (保定市) draws enterprises in two districts and teams of
one inspector of 莲池区's department and one of 竞秀区's. Each district's department admin confirms its list; each
inspector sees and syncs exactly the tasks they are on; each district's reviewer reviews only their department's
part; and a record without them (a district's own plan) stays 404 to the other district, by id-guessing too."""
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.field_api.conftest import Phone, sha, signature_png, submission
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import roles, uscc
from webapp.domain.status import PartStatus
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department
from webapp.stages.directory.models import CheckItem, CheckPoint, InspectorProfile
from webapp.stages.draw import ceremony
from webapp.stages.plans.models import PlanDepartment
from webapp.stages.records import dispatch
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.review.parts import parts_of

DISTRICTS = {"lc": ("130606", "jiaoti"), "jx": ("130602", "weijian")}


@dataclass
class Mixed:
    plan_id: int
    departments: dict  # prefix -> department id
    own_record: int  # a record of 莲池区's own plan: its inspector only, no 竞秀区 member


def _district(prefix) -> tuple[Department, CheckItem]:
    code, dept_code = DISTRICTS[prefix]
    j = jurisdictions.default() if prefix == "lc" else jurisdictions.ensure(*jurisdictions.JINGXIU)
    dept = factories.department("jiaoti") if prefix == "lc" else Department(
        code=dept_code, name="竞秀区卫健局", jurisdiction=j)
    item = CheckItem(department=dept, title=f"{j.name}抽查事项", methods=["onsite"], legal_basis="", position=0,
                     points=[CheckPoint(position=0, text="现场核查要点一")])
    db.session.add(item)
    for n in (1, 2):
        profile = InspectorProfile(department=dept, name=f"{j.name}检查员{n}", certificate_no=f"{code}90000{n}",
                                   valid_from=date(2021, 1, 1), valid_to=date(2028, 12, 31), phone="13900000000",
                                   qualifications=[], is_expert=False, status="active")
        db.session.add(profile)
        factories.user(f"{prefix}_insp{n}", (roles.INSPECTOR,), profile=profile)
    factories.user(f"{prefix}_review", (roles.REVIEWER,))
    factories.user(f"{prefix}_admin", (roles.DEPT_ADMIN,))
    for name in (f"{prefix}_insp1", f"{prefix}_insp2", f"{prefix}_review", f"{prefix}_admin"):
        user = factories.get_user(name)
        user.department, user.jurisdiction = dept, j
    for n in range(1, 4):
        factories.entity(uscc=uscc.complete(f"91{code}MA{n:07d}"), name=f"{j.name}测试{n}号培训学校")
    db.session.flush()
    return dept, item


@pytest.fixture
def mixed(app, client, auth) -> Mixed:
    (lc, lc_item), (jx, jx_item) = _district("lc"), _district("jx")
    city = jurisdictions.by_code("130600")
    factories.user("city", (roles.OFFICE_ADMIN,)).jurisdiction = city
    plan = factories.plan(codes=("jiaoti",), items=[lc_item, jx_item], jurisdiction_id=city.id,
                          doc_number="保市双随机办[2026]2号", ratio_general=100)
    plan.departments[0].team_size = 1
    plan.departments.append(PlanDepartment(department=jx, team_size=1, position=1))
    own = factories.plan(codes=("jiaoti",), items=[lc_item], doc_number="保莲双随机办[2026]9号")
    record = InspectionRecord(plan=own, entity=factories.entity(), status="dispatched")
    record.members = [RecordMember(inspector=factories.profile_of("lc_insp1"), department=lc, kind="drawn",
                                   is_leader=True)]
    db.session.add(record)
    db.session.commit()

    entities = ceremony.prepare(plan, algo.ENTITIES, factories.get_user("city"), "test")
    dispatch.execute(entities, "12 34 56", factories.get_user("city"), "test")
    db.session.commit()
    for prefix in DISTRICTS:  # each district's department admin confirms its list, on its own page
        auth.login(f"{prefix}_admin")
        conf = next(c for c in entities.confirmations if c.department.jurisdiction.code == DISTRICTS[prefix][0])
        assert client.get(f"/draw/confirm/{conf.id}").status_code == 200
        token = csrf_token(client, f"/draw/confirm/{conf.id}")
        assert client.post(f"/draw/confirm/{conf.id}/confirm", data={"csrf_token": token}).status_code == 302
        auth.logout()
    inspectors = ceremony.prepare(plan, algo.INSPECTORS, factories.get_user("city"), "test")
    dispatch.execute(inspectors, "", factories.get_user("city"), "test")
    db.session.commit()
    return Mixed(plan.id, {"lc": lc.id, "jx": jx.id}, record.id)


def _teams(plan_id) -> dict[str, set[int]]:
    """username -> the ids of the plan's records they are on, from the table."""
    out = {}
    for name, record_id in db.session.execute(
        select(RecordMember.inspector_id, RecordMember.record_id)
        .join(InspectionRecord, InspectionRecord.id == RecordMember.record_id)
        .where(InspectionRecord.plan_id == plan_id)
    ):
        out.setdefault(db.session.get(InspectorProfile, name).user.username, set()).add(record_id)
    return out


def test_every_team_has_one_inspector_of_each_district(mixed):
    records = db.session.scalars(select(InspectionRecord).where(InspectionRecord.plan_id == mixed.plan_id)).all()
    assert len(records) == 7  # every enterprise of both districts (ratio 100%), 莲池区 own plan's one too
    assert {r.entity.uscc[:8] for r in records} == {"91130606", "91130602"}
    for record in records:
        assert sorted(m.department_id for m in record.members) == sorted(mixed.departments.values())
    assert jurisdictions.owner_of(records[0]) == jurisdictions.by_code("130600").id


def test_each_inspector_sees_and_syncs_exactly_their_own_tasks(mixed, client, auth):
    teams, phone = _teams(mixed.plan_id), Phone(client, auth)
    teams["lc_insp1"] = teams.get("lc_insp1", set()) | {mixed.own_record}
    everything = set().union(*teams.values())
    assert set(teams) == {"lc_insp1", "lc_insp2", "jx_insp1", "jx_insp2"}
    for username, mine in teams.items():
        phone.login(username)
        listed = {t["record_id"] for t in phone.tasks().get_json()["tasks"]}
        assert listed == mine, username
        for record_id in everything - mine:  # another team's record, by its id: not there
            record = db.session.get(InspectionRecord, record_id)
            assert phone.has(record_id, "a" * 64).status_code == 404
            assert phone.upload(record_id, signature_png(), kind="signature", filename="s.png").status_code == 404
            assert phone.put(submission(record, signature="a" * 64)).status_code == 404
            # 404 from another jurisdiction (the city's plan, the other district's); 403 from one's own district
            seen = jurisdictions.sees(factories.get_user(username), jurisdictions.owner_of(record))
            assert client.get(f"/reports/records/{record_id}/print").status_code == (403 if seen else 404)
        record = db.session.get(InspectionRecord, min(mine - {mixed.own_record}))
        if record.status == "dispatched":  # the first of its team to sync submits the joint record
            signature = signature_png()
            assert phone.upload(record.id, signature, kind="signature", filename="s.png").status_code == 201
            answer = phone.put(submission(record, signature=sha(signature)))
            assert answer.status_code == 201, answer.get_json()
        assert client.get(f"/reports/records/{record.id}/print").status_code == 200
        phone.logout()
        db.session.expire_all()


def test_each_districts_reviewer_decides_only_its_departments_part(mixed, client, auth):
    record = db.session.scalars(select(InspectionRecord).where(InspectionRecord.plan_id == mixed.plan_id)
                                .order_by(InspectionRecord.id)).first()
    leader = next(m for m in record.members if m.department_id == mixed.departments["lc"]).inspector.user.username
    phone = Phone(client, auth).login(leader)
    signature = signature_png()
    assert phone.upload(record.id, signature, kind="signature", filename="s.png").status_code == 201
    assert phone.put(submission(record, signature=sha(signature))).status_code == 201
    phone.logout()

    for prefix, other in (("lc", "jx"), ("jx", "lc")):
        auth.login(f"{prefix}_review")
        assert f"/review/records/{record.id}" in client.get("/review/").get_data(as_text=True)
        assert client.get(f"/review/records/{record.id}").status_code == 200
        token = csrf_token(client, f"/review/records/{record.id}")
        refused = client.post(f"/review/records/{record.id}/decision", data={
            "csrf_token": token, "action": "approve", "department_id": mixed.departments[other]})
        assert refused.status_code == 422 and "只能审核本部门的检查事项" in refused.get_data(as_text=True)
        approved = client.post(f"/review/records/{record.id}/decision", data={
            "csrf_token": token, "action": "approve", "department_id": mixed.departments[prefix]})
        assert approved.status_code == 302
        db.session.expire_all()
        status = {p.department_id: p.status for p in parts_of(db.session.get(InspectionRecord, record.id))}
        assert status[mixed.departments[prefix]] == PartStatus.APPROVED
        if prefix == "lc":  # 竞秀区's part waits for 竞秀区's reviewer
            assert status[mixed.departments[other]] != PartStatus.APPROVED
        auth.logout()


def test_a_districts_own_record_stays_404_to_the_other_district(mixed, client, auth):
    urls = {"jx_review": ("/review/records/{}", "/reports/records/{}/print", "/api/field/media/{}/" + "a" * 64),
            "jx_admin": ("/reports/records/{}/print",), "jx_insp1": ("/reports/records/{}/print",
                                                                     "/api/field/media/{}/" + "a" * 64)}
    for username, templates in urls.items():
        auth.login(username)
        for template in templates:
            url = template.format(mixed.own_record)
            assert client.get(url).status_code == 404, (username, url)
        auth.logout()
