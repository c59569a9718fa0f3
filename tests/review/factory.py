"""Submitted 一企一表 records for review and report tests: real images in the media store, findings following
the schema of webapp/models/records.py, the hash computed as the phone computes it."""
import io
from datetime import date, datetime, timedelta, timezone

from PIL import Image, ImageDraw
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.domain.review import findings_digest
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.models import Entity, InspectorProfile
from webapp.stages.plans.models import Plan, PlanDepartment, PlanItem
from webapp.stages.records.models import InspectionRecord, Media, RecordMember


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
    sha = storage().put(data)
    with Image.open(io.BytesIO(data)) as im:
        width, height = im.size
    media = Media(record=record, sha256=sha, kind=kind, content_type=content_type, size=len(data),
                  width=width, height=height, captured_at=datetime.now(timezone.utc), meta={})
    db.session.add(media)
    return media


def department(code: str) -> Department:
    return db.session.scalar(select(Department).where(Department.code == code))


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


TEST_PLAN = "保莲双随机办[2026]99号"


def own_plan() -> Plan:
    """A plan of the tests' own, shaped like the demo's current plan (whose draw the demo may run), drawn fresh."""
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == TEST_PLAN))
    if plan is not None:
        return plan
    source = db.session.scalars(select(Plan).order_by(Plan.id.desc())).first()
    plan = Plan(
        doc_number=TEST_PLAN, title="测试用联合抽查工作方案", issuer=source.issuer, issued_on=source.issued_on,
        window_start=date.today() - timedelta(days=7), window_end=date.today() + timedelta(days=75),
        lead_department_id=source.lead_department_id, statuses=list(source.statuses or []), status="drawn",
    )
    plan.departments = [PlanDepartment(department_id=d.department_id, team_size=d.team_size, position=d.position)
                        for d in source.departments]
    plan.items = [PlanItem(department_id=i.department_id, position=i.position, title=i.title, methods=list(i.methods),
                           legal_basis=i.legal_basis, check_points=list(i.check_points)) for i in source.items]
    db.session.add(plan)
    db.session.commit()
    return plan


def make_record(plan_id=None, departments=("jiaoti", "renshe"), status="submitted", codes=("no_problem",),
                fail=False, refused=False, late=False, photos=1, members=None, entity_index=None,
                inspected_on=None, submitted=True, client_uuid=None) -> InspectionRecord:
    """A record of the plan with a team from `departments` (jt01 and jt02 lead the 教体局 side)."""
    plan = db.session.get(Plan, plan_id) if plan_id else own_plan()
    index = entity_index if entity_index is not None else db.session.scalar(
        select(db.func.count()).select_from(InspectionRecord).where(InspectionRecord.plan_id == plan.id))
    entity = db.session.scalars(select(Entity).order_by(Entity.id).offset(index).limit(1)).one()
    record = InspectionRecord(plan=plan, entity=entity, status=status)
    db.session.add(record)
    team = []
    for code in departments:
        d = department(code)
        profiles = members.get(code) if members else None
        if profiles is None:
            profiles = db.session.scalars(
                select(InspectorProfile).where(InspectorProfile.department_id == d.id).order_by(InspectorProfile.id)
                .limit(2 if code == "jiaoti" else 1)).all()
        for p in profiles:
            team.append(RecordMember(inspector=p, department=d, kind="drawn", is_leader=not team))
    record.members = team
    db.session.flush()
    if not submitted:
        return record

    dept_blocks = []
    for code in departments:
        d = department(code)
        items = plan.items_of(d.id)[:2]
        blocks = []
        for n, item in enumerate(items):
            points = []
            for k, text in enumerate(item.check_points[:2] or ["现场核查"]):
                result = "fail" if (fail and n == 0 and k == 0) else "pass"
                shas = []
                if photos and n == 0 and k == 0:
                    for i in range(photos):
                        m = add_media(record, image_bytes(f"{code} photo {i} rec {record.id}"), "photo")
                        shas.append(m.sha256)
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
    record.inspected_on = inspected_on or (date.today() - timedelta(days=2))
    record.checked_in_at = datetime.now(timezone.utc) - timedelta(days=2)
    record.checkin_lat, record.checkin_lng, record.checkin_accuracy = 38.8739, 115.4646, 12.0
    if refused:
        record.refused = True
        record.refusal_note = "法定代表人以不在场为由拒绝签字，现场负责人亦拒绝签字。"
        add_media(record, image_bytes("refusal evidence"), "evidence")
    else:
        sig = add_media(record, signature_bytes(), "signature", "image/png")
        record.signature_sha = sig.sha256
    record.submitted_at = datetime.now(timezone.utc) - timedelta(days=1)
    record.submitted_by_id = team[0].inspector.user_id
    record.sync_due = record.inspected_on + timedelta(days=7)
    record.late = late
    db.session.commit()
    return record
