"""Records as review leaves them (status "approved"), full of private data the public must never see.

Shared by the public, QR and follow-up tests: the review area moves real records to "approved"; here we build
them directly, with a team, findings, a signature, GPS and media, on the demo's directory and plans.
"""
import hashlib
from datetime import date, datetime, timezone

from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.models import Entity, InspectorProfile
from webapp.stages.plans.models import Plan
from webapp.stages.records.models import InspectionRecord, Media, RecordMember

LAT, LNG = 38.873456, 115.464321


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def department(code: str) -> Department:
    return db.session.scalar(select(Department).where(Department.code == code))


def profile_of(username: str) -> InspectorProfile:
    return db.session.scalar(select(User).where(User.username == username)).profile


def current_plan() -> Plan:
    today = date.today()
    return db.session.scalar(select(Plan).where(Plan.window_start <= today, Plan.window_end >= today))


def old_plan() -> Plan:
    return db.session.scalar(select(Plan).order_by(Plan.window_start))


def entities(n: int, offset: int = 0) -> list[Entity]:
    return db.session.scalars(select(Entity).order_by(Entity.id).offset(offset).limit(n)).all()


def findings_for(plan: Plan, failed_codes=()) -> dict:
    """Findings covering every department of the plan; check points of `failed_codes` departments fail."""
    out = []
    for pd in plan.departments:
        items = plan.items_of(pd.department_id)[:2]
        result = "fail" if pd.department.code in failed_codes else "pass"
        out.append({"department_id": pd.department_id, "items": [
            {"plan_item_id": i.id, "method": "onsite",
             "points": [{"text": p, "result": result, "note": "现场查看", "photos": [sha(f"photo-{i.id}")]}
                        for p in i.check_points[:2]]}
            for i in items
        ]})
    return {"departments": out, "team": {"present": [], "uniform": True, "credentials_shown": True},
            "result_codes": [], "remarks": "负责人电话 13912345678"}


def make_record(plan: Plan, entity: Entity, *, status="approved", codes=("no_problem",), failed=(),
                team=("jt01", "rs01"), inspected_on=None) -> InspectionRecord:
    # The demo's draw may already have dispatched a record for this pair: review would approve that one.
    record = db.session.scalar(
        select(InspectionRecord).where(InspectionRecord.plan_id == plan.id, InspectionRecord.entity_id == entity.id)
    ) or InspectionRecord(plan=plan, entity=entity)
    record.members.clear()
    db.session.flush()
    fields = dict(
        status=status, inspected_on=inspected_on or plan.window_start,
        checked_in_at=datetime.now(timezone.utc), checkin_lat=LAT, checkin_lng=LNG, checkin_accuracy=12.5,
        findings=findings_for(plan, failed), result_codes=list(codes), findings_hash=sha(f"findings-{entity.id}"),
        signature_sha=sha(f"signature-{entity.id}"), seal_sha=sha(f"seal-{entity.id}"),
        submitted_at=datetime.now(timezone.utc),
    )
    for key, value in fields.items():
        setattr(record, key, value)
    for i, username in enumerate(team):
        profile = profile_of(username)
        record.members.append(RecordMember(inspector=profile, department_id=profile.department_id, is_leader=i == 0))
    db.session.add(record)
    db.session.flush()
    for kind, key in (("signature", record.signature_sha), ("photo", sha(f"photo-{entity.id}"))):
        db.session.add(Media(record=record, sha256=key, kind=kind, content_type="image/jpeg", size=1000,
                             width=10, height=10, meta={"lat": LAT, "lng": LNG}))
    db.session.commit()
    return record


def private_strings(record: InspectionRecord) -> list[str]:
    """What must never appear on a public page about this record."""
    out = [record.signature_sha, record.seal_sha, record.findings_hash, f"{LAT}", f"{LNG}", "38.87", "115.46",
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
