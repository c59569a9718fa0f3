"""Small builders for the tests: each makes only what it is asked for, in the shape the demo gives it (the seed's
departments and items, the demo's account names, valid USCCs), and draws go through the real stage functions.

    factories.account("jt01")                    # the account, its department and its roster entry
    factories.entities(3)                        # three eligible training institutions
    w = factories.world()                        # the demo's shape, small: see `world`
    d = factories.entity_draw(w.current)         # webapp.stages.draw.ceremony.prepare + records.dispatch.execute
    factories.dispatched(w.current, entity, ("jt01", "rs01"))
    factories.record_for_review(...)            # submitted, with real images in the media store
    factories.approved_record(plan, entity)      # as review leaves it, for publication

Everything is flushed, and committed where a test would otherwise have to (the builders that return a world or
a record commit). The whole demo (`webapp.faces.demo.load`, ~300 entities and both ceremonies) is the `demo`
fixture's, kept for the end-to-end tests of the demo itself.
"""
import hashlib
import io
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from PIL import Image, ImageDraw
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.domain import draw as algo
from webapp.domain import risk, roles, uscc
from webapp.domain.review import findings_digest
from webapp.faces.demo import directory as demo_directory
from webapp.faces.demo import seed2023
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.models import CheckItem, CheckPoint, Entity, InspectorProfile
from webapp.stages.draw import ceremony, confirmation
from webapp.stages.plans.models import Plan, PlanDepartment, PlanItem
from webapp.stages.records import dispatch
from webapp.stages.records.models import InspectionRecord, Media, RecordMember
from webapp.stages.review import parts as review_parts

PASSWORD = "lianchi2023"
# One cheap hash for every account the factories make. check_password reads the method from the stored hash, so
# signing in still goes through the real check; scrypt's ~0.2 s per hash and per sign-in is the product's
# business (tests/test_auth.py and tests/test_demo.py keep it), not that of 500 tests.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")

DEPARTMENT_NAMES = {code: name for code, name, _ in seed2023.DEPARTMENTS}
TEAM_SIZES = {code: size for code, _, size in seed2023.DEPARTMENTS}
ADMINS = {"jiaoti": "jt_admin", "renshe": "rs_admin", "weijian": "wj_admin"}

# The demo's accounts (webapp/faces/demo ACCOUNTS): username -> (full name, roles, department, roster entry).
# A roster entry is (position in its department, qualifications, is_expert): see ROSTER.
ACCOUNTS = {
    "office": ("白冬", [roles.OFFICE_ADMIN], None, None),
    "jt_admin": ("教体局管理员", [roles.DEPT_ADMIN], "jiaoti", None),
    "rs_admin": ("人社局管理员", [roles.DEPT_ADMIN], "renshe", None),
    "wj_admin": ("卫健局管理员", [roles.DEPT_ADMIN], "weijian", None),
    "jt_review": ("教体局审核人", [roles.REVIEWER], "jiaoti", None),
    "rs_review": ("人社局审核人", [roles.REVIEWER], "renshe", None),
    "wj_review": ("卫健局审核人", [roles.REVIEWER], "weijian", None),
    "jt01": ("王伟", [roles.INSPECTOR], "jiaoti", 0),
    "jt02": ("李娜", [roles.INSPECTOR], "jiaoti", 1),
    "rs01": ("张敏", [roles.INSPECTOR], "renshe", 0),
    "wj01": ("刘洋", [roles.INSPECTOR], "weijian", 0),
    "jt_expert": ("陈静", [roles.EXPERT], "jiaoti", 4),
}

# A small roster with what the draw must tell apart: per department, the account holders first (so that "the
# first two of 教体局" are jt01 and jt02, as in the demo), someone unlinked, and one who may not be drawn (an
# expired card, a leave, an expert). (name, qualifications, is_expert, status, valid_to)
_VALID = date(2028, 12, 31)
ROSTER = {
    "jiaoti": [("王伟", ["体育专业"], False, "active", _VALID), ("李娜", [], False, "active", _VALID),
               ("赵强", [], False, "active", _VALID), ("孙磊", [], False, "active", date(2024, 12, 31)),
               ("陈静", ["体育专业"], True, "active", _VALID)],
    "renshe": [("张敏", ["劳动保障监察"], False, "active", _VALID), ("周杰", [], False, "active", _VALID),
               ("吴娟", [], False, "on_leave", _VALID), ("徐涛", ["劳动保障监察"], True, "active", _VALID)],
    "weijian": [("刘洋", ["卫生监督"], False, "active", _VALID), ("马超", [], False, "active", _VALID),
                ("朱丽", [], False, "active", _VALID), ("胡芳", ["卫生监督"], True, "active", _VALID)],
}

_serial = itertools.count(1)


def _next() -> int:
    return next(_serial)


# --- departments, items ------------------------------------------------------------------------------------

def department(code: str = "jiaoti") -> Department:
    """The department of that code, made the first time it is asked for (the seed's name for the seed's codes)."""
    home = jurisdictions.default()  # 莲池区, where the seed's office is
    found = db.session.scalar(select(Department).where(Department.code == code,
                                                       Department.jurisdiction_id == home.id))
    if found is None:
        found = Department(code=code, name=DEPARTMENT_NAMES.get(code, f"测试部门{code}"), jurisdiction=home)
        db.session.add(found)
        db.session.flush()
    return found


def check_item(code: str = "jiaoti", title: str | None = None, methods=("document", "onsite"),
               points=("现场核查要点一", "现场核查要点二"), qualification=None, basis="", position=None) -> CheckItem:
    dept = department(code)
    if position is None:
        position = db.session.scalar(select(func.count()).select_from(CheckItem)
                                     .where(CheckItem.department_id == dept.id))
    item = CheckItem(department=dept, title=title or f"测试抽查事项{_next()}", methods=list(methods),
                     legal_basis=basis, required_qualification=qualification, position=position,
                     points=[CheckPoint(position=i, text=t) for i, t in enumerate(points)])
    db.session.add(item)
    db.session.flush()
    return item


def library(*codes: str) -> list[CheckItem]:
    """The seed's items (verbatim titles, their methods, qualifications and check points) of these departments
    (all three by default), in the seed's order; made once."""
    out = []
    for code in codes or tuple(seed2023.ITEMS):
        dept = department(code)
        have = db.session.scalars(select(CheckItem).where(CheckItem.department_id == dept.id)
                                  .order_by(CheckItem.position)).all()
        if have:
            out += have
            continue
        for position, (title, methods, qualification, basis, points) in enumerate(seed2023.ITEMS[code]):
            out.append(check_item(code, title, methods, points, qualification, basis, position))
    return out


# --- the directory: entities ------------------------------------------------------------------------------

def entity(**fields) -> Entity:
    """A training institution eligible for the seed's rules and a current plan's, with a valid USCC."""
    n = _next()
    jurisdictions.default()  # the USCC's 130606 places it in 莲池区
    values = dict(
        uscc=uscc.complete(f"91130606MA{n:07d}"), name=f"保定市莲池区测试{n}号培训学校", legal_rep="王测试",
        address=f"河北省保定市莲池区裕华西路{n}号", registered_on=date(2019, 3, 5),
        annual_report_years=",".join(str(y) for y in range(2019, clock.today().year)), status="合格",
        risk_level=risk.GENERAL, category="校外培训机构", phone=f"0312-{5000000 + n}",
    )
    values.update(fields)
    made = Entity(**values)
    db.session.add(made)
    db.session.flush()
    return made


def entities(n: int, **fields) -> list[Entity]:
    return [entity(**fields) for _ in range(n)]


def directory(n: int = 40) -> list[Entity]:
    """The demo directory's first n institutions (webapp/faces/demo/directory.py): every risk level as it comes,
    and each kind of ineligible entity (registered late, no report, bad standing, not a training institution)."""
    jurisdictions.default()
    made = [Entity(**row) for row in demo_directory.entities(n)]
    db.session.add_all(made)
    db.session.flush()
    return made


# --- people -----------------------------------------------------------------------------------------------

def inspector(code: str = "jiaoti", name: str | None = None, **fields) -> InspectorProfile:
    n = _next()
    values = dict(name=name or f"检查员{n}", certificate_no=f"1306069{n:05d}", valid_from=date(2021, 1, 1),
                  valid_to=_VALID, phone=f"139{n:08d}", qualifications=[], is_expert=False, status="active")
    values.update(fields)
    profile = InspectorProfile(department=department(code), **values)
    db.session.add(profile)
    db.session.flush()
    return profile


def roster(*codes: str) -> dict[str, list[InspectorProfile]]:
    """ROSTER's people of these departments (all by default), made once, in ROSTER's order."""
    out = {}
    for code in codes or tuple(ROSTER):
        dept = department(code)
        have = db.session.scalars(select(InspectorProfile).where(InspectorProfile.department_id == dept.id)
                                  .order_by(InspectorProfile.id)).all()
        if not have:
            have = [inspector(code, name, qualifications=list(quals), is_expert=expert, status=status,
                              valid_to=valid_to)
                    for name, quals, expert, status, valid_to in ROSTER[code]]
        out[code] = have
    return out


def user(username: str, role_codes=(roles.INSPECTOR,), code: str | None = None, full_name: str | None = None,
         profile: InspectorProfile | None = None, active: bool = True) -> User:
    made = User(username=username, full_name=full_name or (profile.name if profile else username),
                department=department(code) if code else None, phone=profile.phone if profile else None,
                active=active, password_hash=PASSWORD_HASH,
                jurisdiction=department(code).jurisdiction if code else jurisdictions.default())
    made.set_roles(role_codes)
    if profile is not None:
        profile.user = made
    db.session.add(made)
    db.session.flush()
    return made


def account(username: str) -> User:
    """One of the demo's accounts (ACCOUNTS), with its department and, for inspectors, its roster entry."""
    found = db.session.scalar(select(User).where(User.username == username))
    if found is not None:
        return found
    full_name, role_codes, code, position = ACCOUNTS[username]
    profile = roster(code)[code][position] if position is not None else None
    return user(username, role_codes, code, full_name, profile)


def accounts(*usernames: str) -> dict[str, User]:
    """The demo's accounts by name (all of them by default)."""
    return {name: account(name) for name in usernames or tuple(ACCOUNTS)}


def get_user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def profile_of(username: str) -> InspectorProfile:
    return get_user(username).profile


# --- plans ------------------------------------------------------------------------------------------------

def current_plan_fields(today: date | None = None) -> dict:
    """The demo's current plan (its second batch of this year): a window around today (in Beijing, the
    regime's days: webapp.core.clock)."""
    today = today or clock.today()
    year = today.year
    return dict(
        seed2023.PLAN, doc_number=f"保莲双随机办[{year}]7号",
        title=f"保定市莲池区教体局 {year}年部门联合“双随机”抽查工作方案（第二批）",
        issued_on=today - timedelta(days=14), based_on=f"保莲双随机办〔{year}〕2号",
        window_start=today - timedelta(days=7), window_end=today + timedelta(days=75),
        registered_before=today - timedelta(days=14), annual_report_year=year - 1,
    )


def plan(fields: dict | None = None, codes=tuple(TEAM_SIZES), items: list[CheckItem] | None = None,
         team_sizes: dict | None = None, **over) -> Plan:
    """A plan of these departments (the seed's, the lead first) with a copy of their library items (made if
    missing). `fields` defaults to the current plan's; the 2023 plan is `plan(seed2023.PLAN)`."""
    values = dict(fields or current_plan_fields(), **over)
    sizes = dict(TEAM_SIZES, **(team_sizes or {}))
    chosen = items if items is not None else library(*codes)
    made = Plan(lead_department=department(codes[0]), **values)
    made.departments = [PlanDepartment(department=department(c), team_size=sizes.get(c, 1), position=i)
                        for i, c in enumerate(codes)]
    made.items = [PlanItem.copy_of(item, i) for i, item in enumerate(chosen)]
    db.session.add(made)
    db.session.flush()
    return made


# --- the demo's shape, small ------------------------------------------------------------------------------

@dataclass
class World:
    old: Plan        # the seed's 2023 plan (plan 1)
    current: Plan    # the plan of today (plan 2), not drawn
    entities: list[Entity]
    users: dict[str, User]
    roster: dict[str, list[InspectorProfile]] = field(default_factory=dict)

    @property
    def plans(self) -> list[Plan]:
        return [self.old, self.current]


def world(n_entities: int = 40) -> World:
    """What most tests stood on the whole demo for, small: the three departments, the seed's 14 items, ROSTER,
    every demo account, the demo directory's first `n_entities` institutions, the 2023 plan and a current plan
    (both with all departments and items, neither drawn). Committed."""
    items = library()
    people = roster()
    users = accounts()
    made = directory(n_entities)
    old = plan(seed2023.PLAN, items=items)
    current = plan(items=items)
    db.session.commit()
    return World(old, current, made, users, people)


# --- draws, through the real stage functions ---------------------------------------------------------------

def entity_draw(p: Plan, witness: str = "12 34 56", by: str = "office") -> "ceremony.Draw":
    d = ceremony.prepare(p, algo.ENTITIES, get_user(by), "test")
    dispatch.execute(d, witness, get_user(by), "test")
    db.session.commit()
    return d


def confirm_all(d) -> None:
    """Every department's admin confirms its list (as drawn, without exclusions)."""
    for conf in d.confirmations:
        if conf.confirmed_at is None:
            confirmation.confirm(conf, get_user(ADMINS[conf.department.code]))
    db.session.commit()


def inspector_draw(p: Plan, witness: str = "", by: str = "office"):
    d = ceremony.prepare(p, algo.INSPECTORS, get_user(by), "test")
    dispatch.execute(d, witness, get_user(by), "test")
    db.session.commit()
    return d


# --- records ----------------------------------------------------------------------------------------------

def dispatched(p: Plan, target: Entity, team=("jt01", "rs01"), expert: str | None = None) -> InspectionRecord:
    """A record dispatched by hand (as the inspectors' draw leaves it): `team` by username, the first leads;
    `expert` appointed with a reason. Committed."""
    record = InspectionRecord(plan=p, entity=target)
    for i, username in enumerate(team):
        profile = account(username).profile
        record.members.append(RecordMember(inspector=profile, department_id=profile.department_id,
                                           is_leader=i == 0, kind="drawn"))
    if expert:
        profile = account(expert).profile
        record.members.append(RecordMember(inspector=profile, department_id=profile.department_id,
                                           is_leader=False, kind="expert", reason="协助检查专业事项"))
    db.session.add(record)
    db.session.commit()
    return record


@dataclass
class Dispatched:
    record: InspectionRecord  # jt01 leads, with jt02, rs01 and wj01; jt_expert appointed
    other: InspectionRecord   # a record none of the demo accounts is on
    plan: Plan


def dispatched_pair(p: Plan) -> Dispatched:
    """Two records of the plan on its directory's first entities: A with jt01 (leader), jt02, rs01, wj01 and the
    expert jt_expert; B with two roster people who have no account."""
    first, second = db.session.scalars(select(Entity).order_by(Entity.id).limit(2)).all()
    record = dispatched(p, first, ("jt01", "jt02", "rs01", "wj01"), expert="jt_expert")
    strangers = db.session.scalars(
        select(InspectorProfile).where(InspectorProfile.user_id.is_(None), InspectorProfile.is_expert.is_(False),
                                       InspectorProfile.status == "active")
        .order_by(InspectorProfile.id).limit(2)).all()
    other = InspectionRecord(plan=p, entity=second)
    for i, profile in enumerate(strangers):
        other.members.append(RecordMember(inspector=profile, department_id=profile.department_id, is_leader=i == 0))
    db.session.add(other)
    db.session.commit()
    return Dispatched(record, other, p)


def image_bytes(text: str, size=(640, 480), color=(40, 90, 160), fmt="JPEG") -> bytes:
    im = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(im)
    draw.rectangle([20, 20, size[0] - 20, size[1] - 20], outline=(255, 255, 255), width=6)
    draw.text((40, 40), text, fill=(255, 255, 255))
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def signature_bytes() -> bytes:
    """A handwritten-looking signature: dark strokes on white, as the phone's signature pad exports it (PNG)."""
    im = Image.new("RGB", (400, 160), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    points = [(30 + i * 12, 90 + (25 if i % 2 else -25) + (i % 3) * 6) for i in range(28)]
    draw.line(points, fill=(20, 30, 80), width=5, joint="curve")
    draw.line([(40, 130), (360, 120)], fill=(20, 30, 80), width=3)
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def add_media(record, data: bytes, kind: str, content_type="image/jpeg") -> Media:
    """Real bytes in the media store, and their row."""
    sha = storage().put(data)
    with Image.open(io.BytesIO(data)) as im:
        width, height = im.size
    media = Media(record=record, sha256=sha, kind=kind, content_type=content_type, size=len(data),
                  width=width, height=height, captured_at=datetime.now(timezone.utc), meta={})
    db.session.add(media)
    return media


REVIEW_PLAN = "保莲双随机办[2026]99号"


def review_plan() -> Plan:
    """The plan `record_for_review` files its records under: shaped like the latest plan, status drawn."""
    found = db.session.scalar(select(Plan).where(Plan.doc_number == REVIEW_PLAN))
    if found is not None:
        return found
    source = db.session.scalars(select(Plan).order_by(Plan.id.desc())).first()
    made = Plan(
        doc_number=REVIEW_PLAN, title="测试用联合抽查工作方案", issuer=source.issuer, issued_on=source.issued_on,
        window_start=clock.today() - timedelta(days=7), window_end=clock.today() + timedelta(days=75),
        lead_department_id=source.lead_department_id, statuses=list(source.statuses or []), status="drawn",
    )
    made.departments = [PlanDepartment(department_id=d.department_id, team_size=d.team_size, position=d.position)
                        for d in source.departments]
    made.items = [PlanItem(department_id=i.department_id, position=i.position, title=i.title,
                           methods=list(i.methods), legal_basis=i.legal_basis, check_points=list(i.check_points))
                  for i in source.items]
    db.session.add(made)
    db.session.commit()
    return made


def record_for_review(plan_id=None, departments=("jiaoti", "renshe"), status="submitted", codes=("no_problem",),
                      fail=False, refused=False, late=False, photos=1, members=None, entity_index=None,
                      inspected_on=None, submitted=True, client_uuid=None) -> InspectionRecord:
    """A submitted 一企一表 of `review_plan()` (or `plan_id`) as the phone sends it: a team from `departments`
    (jt01 and jt02 on the 教体局 side, the first of the roster elsewhere), findings following the schema of
    webapp/stages/records/models.py with the phone's hash, real images in the media store, GPS. Committed."""
    p = db.session.get(Plan, plan_id) if plan_id else review_plan()
    index = entity_index if entity_index is not None else db.session.scalar(
        select(func.count()).select_from(InspectionRecord).where(InspectionRecord.plan_id == p.id))
    target = db.session.scalars(select(Entity).order_by(Entity.id).offset(index).limit(1)).one()
    record = InspectionRecord(plan=p, entity=target, status=status)
    db.session.add(record)
    team = []
    for code in departments:
        d = department(code)
        profiles = members.get(code) if members else None
        if profiles is None:
            profiles = db.session.scalars(
                select(InspectorProfile).where(InspectorProfile.department_id == d.id).order_by(InspectorProfile.id)
                .limit(2 if code == "jiaoti" else 1)).all()
        for profile in profiles:
            team.append(RecordMember(inspector=profile, department=d, kind="drawn", is_leader=not team))
    record.members = team
    db.session.flush()
    if not submitted:
        db.session.commit()
        return record

    dept_blocks = []
    for code in departments:
        d = department(code)
        blocks = []
        for n, item in enumerate(p.items_of(d.id)[:2]):
            points = []
            for k, text in enumerate(item.check_points[:2] or ["现场核查"]):
                result = "fail" if (fail and n == 0 and k == 0) else "pass"
                shas = []
                if photos and n == 0 and k == 0:
                    for i in range(photos):
                        shas.append(add_media(record, image_bytes(f"{code} photo {i} rec {record.id}"), "photo").sha256)
                points.append({"text": text, "result": result,
                               "note": "消防通道被杂物堵塞" if result == "fail" else "", "photos": shas})
            blocks.append({"plan_item_id": item.id, "method": (item.methods or ["onsite"])[0], "points": points})
        dept_blocks.append({"department_id": d.id, "items": blocks})
    findings = {
        "departments": dept_blocks,
        "team": {"present": [m.inspector.certificate_no for m in team], "uniform": True, "credentials_shown": True},
        "result_codes": sorted(codes), "remarks": "现场检查情况如上。",
    }
    record.findings = findings
    record.result_codes = sorted(codes)
    record.findings_hash = findings_digest(findings, codes)
    record.client_uuid = client_uuid or f"00000000-0000-4000-8000-{record.id:012d}"
    record.inspected_on = inspected_on or (clock.today() - timedelta(days=2))
    record.checked_in_at = datetime.now(timezone.utc) - timedelta(days=2)
    record.checkin_lat, record.checkin_lng, record.checkin_accuracy = 38.8739, 115.4646, 12.0
    if refused:
        record.refused = True
        record.refusal_note = "法定代表人以不在场为由拒绝签字，现场负责人亦拒绝签字。"
        add_media(record, image_bytes("refusal evidence"), "evidence")
    else:
        record.signature_sha = add_media(record, signature_bytes(), "signature", "image/png").sha256
    record.submitted_at = datetime.now(timezone.utc) - timedelta(days=1)
    record.submitted_by_id = team[0].inspector.user_id
    record.sync_due = record.inspected_on + timedelta(days=7)
    record.late = late
    db.session.commit()
    return record


# Records as review leaves them ("approved"), full of private data the public must never see: built directly,
# with a team, findings, a signature, GPS and media rows (no bytes), for the publication, QR and follow-up tests.
LAT, LNG = 38.873456, 115.464321


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def current_plan() -> Plan:
    today = clock.today()
    return db.session.scalars(select(Plan).where(Plan.window_start <= today, Plan.window_end >= today)
                              .order_by(Plan.id)).first()


def old_plan() -> Plan:
    return db.session.scalars(select(Plan).order_by(Plan.window_start, Plan.id)).first()


def directory_entities(n: int, offset: int = 0) -> list[Entity]:
    """The directory's entities in id order: the n from `offset`."""
    return db.session.scalars(select(Entity).order_by(Entity.id).offset(offset).limit(n)).all()


def findings_for(p: Plan, failed_codes=()) -> dict:
    """Findings covering every department of the plan; check points of `failed_codes` departments fail."""
    out = []
    for pd in p.departments:
        result = "fail" if pd.department.code in failed_codes else "pass"
        out.append({"department_id": pd.department_id, "items": [
            {"plan_item_id": i.id, "method": "onsite",
             "points": [{"text": t, "result": result, "note": "现场查看", "photos": [sha(f"photo-{i.id}")]}
                        for t in i.check_points[:2]]}
            for i in p.items_of(pd.department_id)[:2]
        ]})
    return {"departments": out, "team": {"present": [], "uniform": True, "credentials_shown": True},
            "result_codes": [], "remarks": "负责人电话 13912345678"}


def approved_record(p: Plan, target: Entity, *, status="approved", codes=("no_problem",), failed=(),
                    team=("jt01", "rs01"), inspected_on=None) -> InspectionRecord:
    """The record of (plan, entity), made or taken over (a draw may have dispatched it), as review leaves it."""
    record = db.session.scalar(
        select(InspectionRecord).where(InspectionRecord.plan_id == p.id, InspectionRecord.entity_id == target.id)
    ) or InspectionRecord(plan=p, entity=target)
    record.members.clear()
    db.session.flush()
    values = dict(
        status=status, inspected_on=inspected_on or p.window_start,
        checked_in_at=datetime.now(timezone.utc), checkin_lat=LAT, checkin_lng=LNG, checkin_accuracy=12.5,
        findings=findings_for(p, failed), result_codes=list(codes), findings_hash=sha(f"findings-{target.id}"),
        signature_sha=sha(f"signature-{target.id}"), seal_sha=sha(f"seal-{target.id}"),
        submitted_at=datetime.now(timezone.utc),
    )
    for key, value in values.items():
        setattr(record, key, value)
    for i, username in enumerate(team):
        profile = profile_of(username)
        record.members.append(RecordMember(inspector=profile, department_id=profile.department_id, is_leader=i == 0))
    db.session.add(record)
    db.session.flush()
    for kind, key in (("signature", record.signature_sha), ("photo", sha(f"photo-{target.id}"))):
        db.session.add(Media(record=record, sha256=key, kind=kind, content_type="image/jpeg", size=1000,
                             width=10, height=10, meta={"lat": LAT, "lng": LNG}))
    db.session.commit()
    review_parts.parts_for([record])  # review leaves a record with its parts (one per department, in its state)
    return record


def private_strings(record: InspectionRecord) -> list[str]:
    """What must never appear on a public page about this record. (Its findings hash may: the printed 一企一表
    carries it, and /v/<token> shows it so that paper and record can be compared, issue 16 §4.)"""
    out = [record.signature_sha, record.seal_sha, f"{LAT}", f"{LNG}", "38.87", "115.46",
           "13912345678", "/media/"]
    if record.entity.phone:
        out.append(record.entity.phone)
    if record.entity.legal_rep:
        out.append(record.entity.legal_rep)
    for m in record.members:
        if m.inspector.phone:
            out.append(m.inspector.phone)
    for media in record.media:
        out.append(media.sha256)
    return out
