"""The phone's side of review: docs/field-api.md §POST /api/field/records/<client_uuid>/amendments."""
from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.core.errors import json_error
from webapp.core.extensions import db
from webapp.domain import findings as findings_rules
from webapp.domain import review as rules
from webapp.domain.status import RecordStatus
from webapp.faces.api import bp, not_on_team
from webapp.stages.records.models import InspectionRecord, Media
from webapp.stages.review import service
from webapp.stages.review.models import Amendment

CLIENT_ID_MAX = 64
PHOTOS_MAX = 20


def _answer(amendment: Amendment, record: InspectionRecord, status: int):
    return jsonify({
        "status": record.status, "amendment_id": amendment.id, "client_id": amendment.client_id,
        "at": service.iso(amendment.at), "findings_hash": record.findings_hash,
    }), status


@bp.post("/records/<client_uuid>/amendments")
def amendment(client_uuid):
    return answer(client_uuid, request.get_json(silent=True))


def answer(client_uuid, body):
    """The phone's amendment, and the same for one replayed from an exported file (faces/field/importer.py)."""
    record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.client_uuid == client_uuid))
    if record is None or record.member_for(current_user) is None:
        return not_on_team()
    if not isinstance(body, dict):
        return json_error(400, "请求内容不是有效的 JSON。")
    text, client_id = body.get("text"), body.get("client_id")
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > CLIENT_ID_MAX:
        return json_error(422, "缺少补充说明的编号（client_id）。")
    if not isinstance(text, str):
        return json_error(422, "补充说明不能为空。")
    # Optional: the departments (ids) whose parts the amendment answers; unnamed, every returned part.
    departments = body.get("departments")
    if departments is not None and (not isinstance(departments, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in departments)):
        return json_error(422, "补充说明所指的部门无效。")
    # Optional: the 补拍照片 it carries, each uploaded first (POST /api/field/media/<record_id>, kind amendment).
    photos = body.get("photos") or []
    if not isinstance(photos, list) or len(photos) > PHOTOS_MAX or not all(
            isinstance(s, str) and findings_rules.is_sha256(s) for s in photos):
        return json_error(422, f"补拍照片的校验值无效（最多 {PHOTOS_MAX} 张）。")
    photos = list(dict.fromkeys(photos))

    # A replay of an amendment already stored gets the same answer; other content under its id is a conflict.
    existing = db.session.scalar(select(Amendment).where(Amendment.client_id == client_id))
    if existing is not None:
        if existing.record_id == record.id and existing.text == text.strip():
            return _answer(existing, record, 200)
        return json_error(409, "该编号的补充说明已提交，内容不同。", amendment_id=existing.id)
    uploaded = set(db.session.scalars(select(Media.sha256).where(Media.record_id == record.id,
                                                                 Media.sha256.in_(photos)))) if photos else set()
    missing = sorted(set(photos) - uploaded)
    if missing:
        return json_error(422, f"还有 {len(missing)} 张补拍照片未上传，请先上传。", missing_media=missing)
    try:
        made = service.add_amendment(record, current_user, text, client_id, departments, photos)
    except IntegrityError:  # the same amendment arrived twice at once: the first one won
        db.session.rollback()
        existing = db.session.scalar(select(Amendment).where(Amendment.client_id == client_id))
        if existing is not None and existing.record_id == record.id and existing.text == text.strip():
            return _answer(existing, db.session.get(InspectionRecord, record.id), 200)
        return json_error(409, "该编号的补充说明已提交，内容不同。")
    except rules.ReviewError as e:
        # Answered by the one handler (it rolls back); the code and the "status" key follow the record's status.
        e.status = 409 if record.status != RecordStatus.RETURNED and text.strip() else 422
        e.detail = {**e.detail, "status": record.status}
        raise
    return _answer(made, record, 201)
