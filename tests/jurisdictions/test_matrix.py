"""The scope matrix (issue 12 §1): two districts (莲池区, 竞秀区) and their city (保定市) × every role × every page,
export, phone API and job that takes an id. Guessing the other district's id answers 404 (403 where the role may
not open the page at all) and writes nothing; the owner gets 200; the city reads both districts and reports over
them but edits, draws, publishes and administers only its own.

The world is small and symmetric, built by hand in each district (`district` below): one department, one item,
an inspector on a submitted record with a photo and a signature, a plan with its entity draw, an import batch,
a job; and the four accounts of a district (office, department admin, reviewer, inspector)."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token
from webapp.core import clock
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.core.jobs import Job
from webapp.domain import draw as algo
from webapp.domain import roles, uscc
from webapp.domain.review import findings_digest
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.models import CheckItem, CheckPoint, Conflict, ImportBatch, InspectorProfile
from webapp.stages.draw import ceremony
from webapp.stages.draw.models import Draw, DrawConfirmation
from webapp.stages.integration import tokens
from webapp.stages.records import dispatch
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.review import service as review

ROLES = {"office": (roles.OFFICE_ADMIN,), "admin": (roles.DEPT_ADMIN,), "review": (roles.REVIEWER,),
         "insp": (roles.INSPECTOR,)}
OTHER = {"lc": "jx", "jx": "lc"}


@dataclass
class District:
    prefix: str
    jurisdiction_id: int
    ids: dict


def _department(j, prefix) -> Department:
    if prefix == "lc":
        return factories.department("jiaoti")  # 莲池区's, as every factory uses it
    dept = Department(code="jiaoti", name=factories.DEPARTMENT_NAMES["jiaoti"], jurisdiction=j)
    db.session.add(dept)
    db.session.flush()
    return dept


def _submitted(plan, entity, profile, dept) -> InspectionRecord:
    """A record as the phone submits it: one point with a photo, the signature (both in the media store)."""
    record = InspectionRecord(plan=plan, entity=entity, status="submitted")
    record.members = [RecordMember(inspector=profile, department=dept, kind="drawn", is_leader=True)]
    db.session.add(record)
    db.session.flush()
    photo = factories.add_media(record, factories.image_bytes(f"photo {record.id}"), "photo")
    point = {"text": "现场核查要点一", "result": "pass", "note": "", "photos": [photo.sha256]}
    findings = {"departments": [{"department_id": dept.id, "items": [
        {"plan_item_id": plan.items[0].id, "method": "onsite", "points": [point]}]}],
        "team": {"present": [profile.certificate_no], "uniform": True, "credentials_shown": True},
        "result_codes": ["no_problem"], "remarks": ""}
    record.findings, record.result_codes = findings, ["no_problem"]
    record.findings_hash = findings_digest(findings, ["no_problem"])
    record.client_uuid = f"00000000-0000-4000-8000-{record.id:012d}"
    record.inspected_on = clock.today() - timedelta(days=2)
    record.signature_sha = factories.add_media(record, factories.signature_bytes(), "signature", "image/png").sha256
    record.submitted_at = datetime.now(timezone.utc) - timedelta(days=1)
    record.submitted_by_id = profile.user_id
    record.sync_due = record.inspected_on + timedelta(days=7)
    db.session.flush()
    return record, photo


def district(j, prefix: str, code: str) -> District:
    dept = _department(j, prefix)
    item = CheckItem(department=dept, title=f"{j.name}抽查事项", methods=["document", "onsite"], legal_basis="",
                     position=0, points=[CheckPoint(position=0, text="现场核查要点一")])
    profile = InspectorProfile(department=dept, name=f"{j.name}检查员", certificate_no=f"{code}900001",
                               valid_from=date(2021, 1, 1), valid_to=date(2028, 12, 31), phone="13900000000",
                               qualifications=[], is_expert=False, status="active")
    db.session.add_all([item, profile])
    users = {}
    for role, codes in ROLES.items():
        user = factories.user(f"{prefix}_{role}", codes, full_name=f"{j.name}{role}",
                              profile=profile if role == "insp" else None)
        user.department = None if role == "office" else dept
        user.jurisdiction = j
        users[role] = user
    entities = [factories.entity(uscc=uscc.complete(f"91{code}MA{n:07d}")) for n in range(1, 4)]
    plan = factories.plan(codes=("jiaoti",), items=[item], jurisdiction_id=j.id,
                          doc_number=f"{j.name}双随机办[2026]1号")
    plan.lead_department = dept
    plan.departments[0].department = dept
    db.session.flush()
    draw = ceremony.prepare(plan, algo.ENTITIES, users["office"], "test")
    dispatch.execute(draw, "12 34 56", users["office"], "test")
    record, photo = _submitted(plan, entities[-1], profile, dept)
    batch = ImportBatch(kind="inspectors", filename="名录.csv", file_sha256="0" * 64, department_id=dept.id,
                        jurisdiction_id=j.id, created_by=users["admin"], status="preview", summary={})
    job = Job(kind="export.results", state="done", user_id=users["office"].id, jurisdiction_id=j.id,
              created_at=clock.utcnow(), result={})
    db.session.add_all([batch, job])
    db.session.flush()
    ids = dict(plan=plan.id, draw=draw.id, conf=draw.confirmations[0].id, record=record.id, media=photo.id,
               sha=photo.sha256, uuid=record.client_uuid, profile=profile.id, item=item.id, batch=batch.id,
               job=job.id, user=users["insp"].id)
    return District(prefix, j.id, ids)


@pytest.fixture
def matrix(app):
    lianchi = jurisdictions.default()
    jingxiu = jurisdictions.ensure(*jurisdictions.JINGXIU)
    made = {"lc": district(lianchi, "lc", "130606"), "jx": district(jingxiu, "jx", "130602")}
    factories.user("city", (roles.OFFICE_ADMIN,)).jurisdiction = jurisdictions.by_code("130600")
    db.session.commit()
    return made


# (method, url template, the roles that get 200 on their own district's row (GET), what the city gets on a
# district's row). The city reads (200) what an office reads, and is refused (403) what only the district runs.
OFFICE, REPORTS = {"office"}, {"office", "admin", "review"}
ROWS = [
    ("GET", "/plans/{plan}", {"office", "admin"}, 200),
    ("GET", "/plans/{plan}/eligibility", OFFICE, 200),
    ("GET", "/draw/plans/{plan}", OFFICE, 200),
    ("GET", "/draw/{draw}/manifest.json", {"office", "admin"}, 200),
    ("GET", "/publication/plans/{plan}", OFFICE, 200),
    ("GET", "/qr/posters/plan/{plan}", OFFICE, 200),
    ("GET", "/reports/dashboard?plan={plan}", REPORTS, 200),
    ("GET", "/reports/plans/{plan}/results.xlsx", REPORTS, 200),
    ("GET", "/reports/plans/{plan}/teams.xlsx", REPORTS, 200),
    ("GET", "/reports/records/{record}/print", REPORTS | {"insp"}, 200),
    ("GET", "/reports/records/{record}/pdf", set(), 200),  # the PDF itself: too slow for every role
    ("GET", "/review/records/{record}", {"office", "review"}, 200),
    ("GET", "/media/{media}", REPORTS | {"insp"}, 200),
    ("GET", "/media/{media}/thumb", {"review"}, 200),
    ("GET", "/draw/confirm/{conf}", {"admin"}, 403),
    ("GET", "/directory/inspectors/{profile}", {"office", "admin"}, 200),
    ("GET", "/directory/inspectors/{profile}/edit", {"office", "admin"}, 403),  # the form: for who runs it
    ("GET", "/directory/items/{item}/versions", {"office", "admin"}, 200),
    ("GET", "/directory/imports/{batch}", {"office", "admin"}, 200),
    ("GET", "/directory/imports/{batch}/rejected.xlsx", {"admin"}, 200),
    ("GET", "/jobs/{job}.json", OFFICE, 200),
    ("GET", "/api/field/media/{record}/{sha}", {"insp"}, 404),  # the phone's: team members only
    ("POST", "/plans/{plan}/edit", set(), 403),
    ("POST", "/draw/plans/{plan}/prepare", set(), 403),
    ("POST", "/draw/{draw}/abandon", set(), 403),
    ("POST", "/publication/plans/{plan}/publish", set(), 403),
    ("POST", "/publication/records/{record}/withdraw", set(), 403),
    ("POST", "/review/records/{record}/decision", set(), 403),
    ("POST", "/draw/confirm/{conf}/confirm", set(), 403),
    ("POST", "/admin/users/{user}/toggle", set(), 403),
    ("POST", "/admin/users/{user}/reset-password", set(), 403),
    ("POST", "/directory/inspectors/{profile}/edit", set(), 403),
    ("POST", "/directory/inspectors/{profile}/conflicts", set(), 403),
    ("POST", "/directory/imports/{batch}/commit", set(), 403),
    ("POST", "/directory/imports/{batch}/discard", set(), 403),
    ("POST", "/directory/items/{item}/edit", set(), 403),
    ("POST", "/qr/credentials/{profile}/revoke", set(), 403),
    ("POST", "/api/field/media/{record}", set(), 404),
    ("PUT", "/api/field/records/{uuid}", set(), 404),
    ("POST", "/api/field/records/{uuid}/amendments", set(), 404),
]
FORM = {"action": "approve", "comment": "同意", "all": "1", "reason": "测试", "password": "Lianchi-2026-temp",
        "witness": "1", "name": "改名", "uscc": "", "confirm": "yes", "title": "改名"}


def snapshot() -> tuple:
    """What a write would change: the audit trail (less the downloads it notes: report.*), and the state of every
    row the writes above aim at."""
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.not_like("report.%"))),
        sorted(db.session.execute(select(Draw.id, Draw.status)).all()),
        sorted(db.session.execute(select(InspectionRecord.id, InspectionRecord.status)).all()),
        sorted(db.session.execute(select(User.id, User.active, User.password_hash)).all()),
        sorted(db.session.execute(select(ImportBatch.id, ImportBatch.status)).all()),
        sorted(db.session.execute(select(InspectorProfile.id, InspectorProfile.name)).all()),
        sorted(db.session.execute(select(CheckItem.id, CheckItem.title, CheckItem.version)).all()),
        db.session.scalar(select(func.count()).select_from(Conflict)),
    )


def call(client, method, url, token):
    if method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        return client.open(url, method=method, json={"text": "说明", "client_id": "x"},
                           headers={"X-CSRFToken": token})
    return client.open(url, method=method, data=dict(FORM, csrf_token=token))


def sign_in(client, auth, username) -> str:
    auth.login(username)
    return csrf_token(client, "/account/password")


def answers(client, rows, ids, token) -> dict:
    return {(m, t): call(client, m, t.format(**ids), token).status_code for m, t, *_ in rows}


@pytest.mark.parametrize("who", [f"{d}_{r}" for d in ("lc", "jx") for r in ROLES])
def test_the_owner_gets_200_and_another_districts_ids_404_writing_nothing(matrix, client, auth, who):
    own, role = who.split("_")
    token = sign_in(client, auth, who)
    mine = answers(client, [r for r in ROWS if r[0] == "GET" and role in r[2]], matrix[own].ids, token)
    assert {k: v for k, v in mine.items() if v != 200} == {}
    db.session.expire_all()
    before = snapshot()
    got = answers(client, ROWS, matrix[OTHER[own]].ids, token)
    db.session.expire_all()
    assert snapshot() == before
    # 404 wherever the role may open the page at all; a role that may not gets 403 (or 404) and no more.
    wrong = {k: v for k, v in got.items() if v not in (403, 404)}
    assert not wrong, wrong
    must_404 = {(m, t) for m, t, owners, _ in ROWS if role in owners}
    assert {k: v for k, v in got.items() if k in must_404 and v != 404} == {}
    if role == "office":  # the office may open every office page: the other district's rows do not exist
        office_rows = {(m, t) for m, t, owners, _ in ROWS if "office" in owners}
        assert all(got[k] == 404 for k in office_rows)


def test_the_city_reads_both_districts_but_runs_neither(matrix, client, auth):
    token = sign_in(client, auth, "city")
    db.session.expire_all()
    before = snapshot()
    for d in matrix.values():
        got = answers(client, ROWS, d.ids, token)
        assert {k: v for k, v in got.items() if v != dict(((m, t), c) for m, t, _, c in ROWS)[k]} == {}, d.prefix
    db.session.expire_all()
    assert snapshot() == before
    users = client.get("/admin/users").get_data(as_text=True)
    assert "lc_insp" in users and "jx_insp" in users  # the city sees the accounts below


def test_a_district_office_lists_and_makes_accounts_only_in_its_own(matrix, client, auth):
    token = sign_in(client, auth, "jx_office")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "jx_insp" in page and "lc_insp" not in page and "city" not in page
    answer = client.post("/admin/users", data={"csrf_token": token, "username": "jx_new", "full_name": "新人",
                                                "password": "Jingxiu-2026-ok", "department": "jiaoti",
                                                "roles": [roles.REVIEWER]})
    assert answer.status_code == 302
    made = factories.get_user("jx_new")
    assert made.jurisdiction_id == matrix["jx"].jurisdiction_id
    assert made.department.jurisdiction_id == matrix["jx"].jurisdiction_id


def test_the_city_runs_its_own_city_wide_plan(matrix, client, auth):
    city = jurisdictions.by_code("130600")
    plan = factories.plan(codes=("jiaoti",), items=[], jurisdiction_id=city.id, doc_number="保市双随机办[2026]1号")
    db.session.commit()
    sign_in(client, auth, "city")
    assert client.get(f"/plans/{plan.id}/edit").status_code == 200
    assert client.get(f"/plans/{matrix['lc'].ids['plan']}/edit").status_code == 403
    auth.logout()
    sign_in(client, auth, "lc_office")
    assert client.get(f"/plans/{plan.id}").status_code == 404  # a district does not see the city's plans


def test_an_api_v1_token_reads_only_its_offices_jurisdiction(matrix, client):
    _, raw = tokens.issue("测试", ["plans:read", "records:read"], matrix["lc"].jurisdiction_id)
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(f"/api/v1/plans/{matrix['lc'].ids['plan']}", headers=headers).status_code == 200
    for url in (f"/api/v1/plans/{matrix['jx'].ids['plan']}", f"/api/v1/draws/{matrix['jx'].ids['draw']}"):
        assert client.get(url, headers=headers).status_code == 404, url
    listed = {p["id"] for p in client.get("/api/v1/plans", headers=headers).get_json()["items"]}
    assert matrix["lc"].ids["plan"] in listed and matrix["jx"].ids["plan"] not in listed


@pytest.mark.parametrize("who, name", [(None, "保定市莲池区"), ("jx_office", "保定市竞秀区"), ("lc_admin", "保定市莲池区"),
                                       ("city", "保定市")])
def test_the_footer_names_the_users_own_jurisdiction(matrix, client, auth, who, name):
    if who:
        auth.login(who)
    page = client.get("/home" if who else "/login").get_data(as_text=True)
    assert f'<footer class="footer">{name}“双随机、一公开”' in page


def test_the_command_line_makes_an_account_in_the_jurisdiction_named(matrix, runner):
    result = runner.invoke(args=["create-user", "--username", "jx_cli", "--name", "竞秀", "--role", "reviewer",
                                 "--department", "jiaoti", "--jurisdiction", "130602",
                                 "--password", "Jingxiu-2026-ok"])
    assert result.exit_code == 0, result.output
    made = factories.get_user("jx_cli")
    assert made.jurisdiction_id == made.department.jurisdiction_id == matrix["jx"].jurisdiction_id
    assert runner.invoke(args=["create-user", "--username", "x", "--name", "某", "--role", "office_admin",
                               "--jurisdiction", "999999", "--password", "Jingxiu-2026-ok"]).exit_code != 0


def test_export_and_bundle_jobs_start_and_download_only_where_they_belong(matrix, client, auth):
    """The background exports (issue 17) in the matrix: started on a plan the user sees, their status and file by
    the job's id only for their owner (a bundle: also for the offices that see its jurisdiction)."""
    plan = matrix["lc"].ids["plan"]
    token = sign_in(client, auth, "lc_office")
    before = set(db.session.scalars(select(Job.id)))
    for url in (f"/reports/plans/{plan}/exports/results", f"/reports/plans/{plan}/bundle"):
        assert client.post(url, data={"csrf_token": token}).status_code in (302, 303), url
    db.session.expire_all()
    made = {job.kind: job.id for job in db.session.scalars(select(Job).where(Job.id.not_in(before)))}
    assert set(made) == {"export.results", "plan.bundle"}
    expected = {  # who: (export status, export file, bundle status, bundle file)
        "lc_office": (200, 200, 200, 200), "city": (200, 404, 200, 200), "lc_admin": (404, 404, 404, 404),
        **{f"jx_{role}": (404, 404, 404, 404) for role in ROLES}}
    for who, codes in expected.items():
        auth.logout()
        token = sign_in(client, auth, who)
        got = tuple(client.get(url.format(made[kind])).status_code for kind in ("export.results", "plan.bundle")
                    for url in ("/jobs/{}.json", "/jobs/{}/download"))
        assert got == (codes[0], codes[1], codes[2], codes[3]), who
        if who.startswith("jx_"):  # nor does another district start one on 莲池区's plan
            for url in (f"/reports/plans/{plan}/exports/teams", f"/reports/plans/{plan}/bundle"):
                assert client.post(url, data={"csrf_token": token}).status_code in (403, 404), (who, url)
    db.session.expire_all()
    assert set(db.session.scalars(select(Job.id))) == before | set(made.values())


def test_the_audit_page_lists_only_the_accounts_of_the_jurisdictions_the_office_sees(matrix, client, auth):
    """操作日志 (issue 13): a district's office reads its own accounts' events, never another district's; the
    city reads both; every other role is refused; the page writes nothing and takes no POST."""
    signed_in = []

    def shown(who) -> tuple[int, str]:
        if signed_in:
            auth.logout()
        sign_in(client, auth, who)
        signed_in.append(who)
        page = client.get("/office/audit/")
        return page.status_code, page.get_data(as_text=True)

    db.session.expire_all()
    before = snapshot()
    signs = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("login", "logout"))))
    for own, other in OTHER.items():
        status, html = shown(f"{own}_office")
        mine, theirs = (f"{'莲池区' if d == 'lc' else '竞秀区'}office" for d in (own, other))
        assert status == 200 and "draw.prepare" in html
        assert mine in html and theirs not in html
        assert client.post("/office/audit/", data={"csrf_token": csrf_token(client, "/account/password")}
                           ).status_code == 405
        for role in ("admin", "review", "insp"):
            assert shown(f"{own}_{role}")[0] == 403
    status, html = shown("city")
    assert status == 200 and "莲池区office" in html and "竞秀区office" in html
    assert "操作日志" in client.get("/home").get_data(as_text=True)  # in the office's menu
    db.session.expire_all()
    after = snapshot()  # the sign-ins and sign-outs are audited themselves; nothing else was written
    assert after[1:] == before[1:]
    assert after[0] - before[0] == db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("login", "logout")))) - signs


def test_an_offices_home_lines_name_only_the_plans_it_sees(matrix, client, auth):
    """The office's home page lines (待公示 N 项, 逾期未确认名单) are of its own jurisdictions' plans: a district's
    office sees none of another district's, the city both."""
    for d in matrix.values():
        db.session.get(DrawConfirmation, d.ids["conf"]).deadline = clock.today() - timedelta(days=3)
        office = db.session.scalar(select(User).where(User.username == f"{d.prefix}_office"))
        review.decide(db.session.get(InspectionRecord, d.ids["record"]), office, "approve", codes=["no_problem"])
    own, other = "莲池区双随机办[2026]1号", "竞秀区双随机办[2026]1号"

    def home(who) -> str:
        auth.login(who)
        page = client.get("/home").get_data(as_text=True)
        auth.logout()
        return page

    page = home("lc_office")
    assert f"待公示 1 项：{own}" in page and "逾期未确认名单" in page and other not in page
    page = home("jx_office")
    assert f"待公示 1 项：{other}" in page and "逾期未确认名单" in page and own not in page
    page = home("city")
    assert own in page and other in page
