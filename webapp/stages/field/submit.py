"""Accepting a 一企一表 from a phone: once per client UUID, the same answer to every identical replay, 409 for
different content, 422 (in Chinese) for what breaks the rules or refers to media not yet uploaded.

Late records are accepted and flagged: data is never refused for lateness."""
import math
import re
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, clock, events
from webapp.core.extensions import db
from webapp.domain import findings as rules
from webapp.domain import moments
from webapp.domain import review as review_rules
from webapp.domain.status import RecordStatus
from webapp.stages.field import tasks
from webapp.stages.field.models import FieldSubmission
from webapp.stages.field.outcome import Outcome, error
from webapp.stages.records.models import InspectionRecord, Media

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _date(value, errors) -> date | None:
    try:
        return moments.day(value, "检查日期")
    except moments.OutOfRange as refused:
        errors.append(refused.message)
        return None


def _moment(value, errors) -> datetime | None:
    """`checked_in_at`: range-checked before it is converted (9999-12-31T23:59:59-12:00 would overflow)."""
    try:
        return moments.moment(value, "扫码入企时间（checked_in_at）", clock.utcnow())
    except moments.OutOfRange as refused:
        errors.append(refused.message)
        return None


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _checkin(value, errors) -> tuple[float | None, float | None, float | None]:
    if value is None:
        return None, None, None
    if not isinstance(value, dict):
        errors.append("扫码入企位置格式不正确。")
        return None, None, None
    lat, lng, accuracy = value.get("lat"), value.get("lng"), value.get("accuracy")
    if not (_number(lat) and _number(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        errors.append("扫码入企位置的经纬度不正确。")
        return None, None, None
    if accuracy is not None and not (_number(accuracy) and accuracy >= 0):
        errors.append("扫码入企位置的精度不正确。")
        return None, None, None
    return float(lat), float(lng), None if accuracy is None else float(accuracy)


def _replay(previous: FieldSubmission, user, digest: str) -> Outcome:
    if previous.record.member_for(user) is None:
        return error(404, "任务不存在或您不在该检查组中。")
    if previous.body_digest == digest:
        answer = Outcome(200, dict(previous.response))  # before the commit expires it
        db.session.execute(update(FieldSubmission).where(FieldSubmission.id == previous.id)
                           .values(replays=FieldSubmission.replays + 1)  # two replays at once count twice
                           .execution_options(synchronize_session=False))
        db.session.commit()
        return answer
    audit.record("field.record_conflict", previous.record, client_uuid=previous.client_uuid)
    db.session.commit()
    return error(
        409, "这份记录此前已用同一编号提交过不同的内容，服务器保留先到的版本。请核对后联系审核人。",
        server_hash=previous.findings_hash,
    )


def _taken(record) -> Outcome:
    if record.status == RecordStatus.RETURNED:
        message = "该记录已被审核退回。已签字的检查结果不能更改，请按审核意见提交补充说明。"
    else:
        message = "该记录已由本组其他人员提交，服务器保留先到的版本。"
    return error(409, message, server_hash=record.findings_hash)


def _summary(errors: list[str]) -> str:
    if len(errors) == 1:
        return errors[0]
    return f"记录有 {len(errors)} 处需要更正：{errors[0]}……"


def submit(user, client_uuid: str, body) -> Outcome:
    client_uuid = (client_uuid or "").lower()
    if not UUID.match(client_uuid):
        return error(422, "记录编号（client_uuid）格式不正确。")
    if not isinstance(body, dict):
        return error(400, "请求内容不是有效的 JSON 对象。")
    try:
        digest = rules.body_digest(body)
    except (TypeError, ValueError):
        return error(400, "请求内容含有无法处理的数值。")

    record, previous, calendar_key = tasks.submission_record(body.get("record_id"), client_uuid)
    if previous is not None:
        return _replay(previous, user, digest)
    if record is None or record.member_for(user) is None:
        return error(404, "任务不存在或您不在该检查组中。")
    if record.status != RecordStatus.DISPATCHED or record.client_uuid is not None:
        # Taken, perhaps by this very submission arriving twice at once (its FieldSubmission committed after
        # the lookup above): answer as the second of the two.
        return _after_race(user, client_uuid, digest, record.id)

    errors: list[str] = []
    inspected_on = _date(body.get("inspected_on"), errors)
    today = clock.today()
    if inspected_on is not None:
        if inspected_on > today:
            errors.append("检查日期不能晚于今天。")
        elif inspected_on < record.plan.window_start:
            errors.append(f"检查日期早于本次抽查的开始日期（{record.plan.window_start.isoformat()}）。")
    checked_in_at = _moment(body.get("checked_in_at"), errors)
    lat, lng, accuracy = _checkin(body.get("checkin"), errors)
    findings, result_codes = body.get("findings"), body.get("result_codes")
    refusal = body.get("refusal")
    items, department_ids = tasks.plan_content(record)
    checked = rules.check_submission(
        findings, result_codes, body.get("signature_sha"), body.get("seal_sha"), refusal,
        body.get("findings_hash"), items, department_ids, tasks.team(record),
    )
    errors.extend(checked.errors)
    if errors:
        missing = _missing(record.id, checked.media)
        extra = {"missing_media": missing} if missing else {}
        return error(422, _summary(errors), errors=errors, **extra)

    record_id, plan = record.id, record.plan
    deadline = tasks.calendar(calendar_key).add_workdays(inspected_on, plan.entry_days)
    late = today > deadline.due
    submitted_at = clock.utcnow()
    values = {
        "client_uuid": client_uuid, "status": RecordStatus.SUBMITTED, "inspected_on": inspected_on,
        "checked_in_at": checked_in_at, "checkin_lat": lat, "checkin_lng": lng, "checkin_accuracy": accuracy,
        "findings": findings, "result_codes": sorted(result_codes), "findings_hash": body["findings_hash"],
        "signature_sha": body.get("signature_sha"), "seal_sha": body.get("seal_sha"),
        "refused": refusal is not None, "refusal_note": refusal["note"].strip() if refusal is not None else None,
        "submitted_at": submitted_at, "submitted_by_id": user.id, "sync_due": deadline.due,
        "due_provisional": deadline.provisional, "late": late,
        "has_problems": review_rules.has_problems(result_codes, findings),
    }
    # Claim and fill the record in one statement: of two phones sending at once exactly one gets it, and only
    # while every image the findings name is uploaded (else nothing is written and the answer lists them).
    claim = (update(InspectionRecord)
             .where(InspectionRecord.id == record_id, InspectionRecord.status == RecordStatus.DISPATCHED,
                    InspectionRecord.client_uuid.is_(None))
             .values(**values)
             # the record it may write, for the dashboard's counts: no look-up (publication.dashboard_counts.HINT),
             # and marked at the commit, refreshed with others by the next read or settle (LATER)
             .execution_options(synchronize_session="fetch", dashboard_records=(record_id,), dashboard_later=True))
    if checked.media:
        claim = claim.where(select(func.count(func.distinct(Media.sha256)))
                            .where(Media.record_id == record_id, Media.sha256.in_(sorted(checked.media)))
                            .scalar_subquery() == len(checked.media))
    try:
        claimed = db.session.execute(claim).rowcount
    except IntegrityError:  # the client id is already another record's
        claimed = 0
    if claimed != 1:
        db.session.rollback()
        missing = _missing(record_id, checked.media)
        if missing:
            return error(422, f"还有 {len(missing)} 张图片（照片、签字或印章）未上传，请先上传后再提交记录。",
                          errors=[], missing_media=missing)
        return _after_race(user, client_uuid, digest, record_id)

    response = {
        "status": "stored", "findings_hash": values["findings_hash"], "sync_due": deadline.due.isoformat(),
        "due_provisional": deadline.provisional, "late": late,
    }
    db.session.add(FieldSubmission(
        client_uuid=client_uuid, record_id=record_id, user_id=user.id, body_digest=digest,
        findings_hash=values["findings_hash"], body=body, response=response,
    ))
    try:
        db.session.flush()  # a twin's insert found here; the audit event goes in at the commit (core.audit)
    except IntegrityError:  # this client id went in from another connection first
        db.session.rollback()
        return _after_race(user, client_uuid, digest, record_id)
    audit.record(
        "field.record_submitted", record, client_uuid=client_uuid, findings_hash=values["findings_hash"],
        inspected_on=inspected_on.isoformat(), sync_due=deadline.due.isoformat(), late=late,
        refused=values["refused"], result_codes=values["result_codes"],
        refusal_confirmed_by=(refusal or {}).get("confirmed_by"),
    )
    events.emit("record.submitted", {  # for the office's systems: which record, not its findings or its team
        "record_id": record_id, "record": record.token, "plan": plan.doc_number,
        "inspected_on": inspected_on.isoformat(), "submitted_at": clock.iso(submitted_at), "late": late,
    }, jurisdiction_id=plan.jurisdiction_id)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _after_race(user, client_uuid, digest, record_id)
    return Outcome(201, response)


def _missing(record_id: int, wanted: set[str]) -> list[str]:
    """The images the findings name that are not uploaded to the record yet."""
    if not wanted:
        return []
    have = set(db.session.scalars(select(Media.sha256).where(Media.record_id == record_id)))
    return sorted(wanted - have)


def _after_race(user, client_uuid: str, digest: str, record_id: int) -> Outcome:
    """Another request got there first: answer as if this one had come second."""
    previous = tasks.previous_submission(client_uuid)
    if previous is not None:
        return _replay(previous, user, digest)
    return _taken(db.session.get(InspectionRecord, record_id))


# --- what the signed record is made of -------------------------------------------------------------------------

def _hashes(value) -> set[str]:
    return {s for s in value if rules.is_sha256(s)} if isinstance(value, list) else set()


def signed_media(record) -> set[str]:
    """The SHA-256 values (the phone's) of the media a submitted record consists of: the photos of its check
    points in the signed findings, the signature and the seal, and the refusal evidence of the body accepted for
    it. Empty while the record is dispatched (nothing is signed yet). Every other upload to the record (a
    teammate's photo that never made it into the findings) is not part of the record: not printed, not served
    to reviewers (faces/media.py), and pruned after a grace period (`spotcheck media prune`)."""
    if record.status == RecordStatus.DISPATCHED or record.findings is None:
        return set()
    found = set()
    for dept in record.findings.get("departments", []) if isinstance(record.findings, dict) else []:
        for item in dept.get("items", []) if isinstance(dept, dict) else []:
            for point in item.get("points", []) if isinstance(item, dict) else []:
                if isinstance(point, dict):
                    found |= _hashes(point.get("photos"))
    found |= {s for s in (record.signature_sha, record.seal_sha) if s}
    if record.refused and record.client_uuid:
        body = db.session.scalar(select(FieldSubmission.body).where(FieldSubmission.client_uuid == record.client_uuid))
        refusal = (body or {}).get("refusal") if isinstance(body, dict) else None
        if isinstance(refusal, dict):
            found |= _hashes(refusal.get("evidence"))
    return found


def unsigned_media(older_than: datetime) -> list[Media]:
    """Uploads that are not part of their record (`signed_media`) on records submitted before `older_than`
    (the grace period: a teammate may still ask why a photo is missing). Follow-up evidence, attached by the
    department after review (meta `follow_up_task`), is the publication stage's and never listed."""
    records = db.session.scalars(
        select(InspectionRecord).where(InspectionRecord.status != RecordStatus.DISPATCHED,
                                       InspectionRecord.submitted_at.is_not(None),
                                       InspectionRecord.submitted_at < older_than)
        .where(InspectionRecord.id.in_(select(Media.record_id))).order_by(InspectionRecord.id)
    )
    out = []
    for record in records:
        keep = signed_media(record)
        out.extend(m for m in sorted(record.media, key=lambda m: m.id)
                   if m.sha256 not in keep and not (m.meta or {}).get("follow_up_task"))
    return out
