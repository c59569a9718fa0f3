"""Submitted 一企一表 records for review and report tests: real images in the media store, findings following
the schema of webapp/models/records.py, the hash computed as the phone computes it."""
import io
from datetime import date, datetime, timedelta, timezone

from PIL import Image, ImageDraw
from sqlalchemy import select

from webapp.domain.review import findings_digest
from webapp.extensions import db
from webapp.models import Department, Entity, InspectionRecord, InspectorProfile, Media, Plan, RecordMember, User
from webapp.storage import storage


def image_bytes(text: str, size=(640, 480), color=(40, 90, 160), fmt="JPEG") -> bytes:
    im = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(im)
    draw.rectangle([20, 20, size[0] - 20, size[1] - 20], outline=(255, 255, 255), width=6)
    draw.text((40, 40), text, fill=(255, 255, 255))
    out = io.BytesIO()
    im.save(out, fmt)
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


_used = {"n": 0}


def make_record(plan_id=2, departments=("jiaoti", "renshe"), status="submitted", codes=("no_problem",),
                fail=False, refused=False, late=False, photos=1, members=None, entity_index=None,
                inspected_on=None, submitted=True, client_uuid=None) -> InspectionRecord:
    """A record of the plan with a team from `departments` (jt01 and jt02 lead the 教体局 side)."""
    plan = db.session.get(Plan, plan_id)
    index = entity_index if entity_index is not None else db.session.scalar(
        select(db.func.count()).select_from(InspectionRecord))
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
        sig = add_media(record, image_bytes("signature", size=(400, 160), color=(255, 255, 255), fmt="PNG"),
                        "signature", "image/png")
        record.signature_sha = sig.sha256
    record.submitted_at = datetime.now(timezone.utc) - timedelta(days=1)
    record.submitted_by_id = team[0].inspector.user_id
    record.sync_due = record.inspected_on + timedelta(days=7)
    record.late = late
    db.session.commit()
    return record
