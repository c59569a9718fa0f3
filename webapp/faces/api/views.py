"""The phone's session, its task list, media and signed records (docs/field-api.md)."""
from flask import jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp.core import clock
from webapp.core.errors import json_error
from webapp.domain import findings as rules
from webapp.faces.api import bp, not_on_team, outcome_answer, tasks
from webapp.stages.accounts import sessions
from webapp.stages.field import submit, uploads
from webapp.stages.field.tasks import member_record

MAX_RECORD_BYTES = 1024 * 1024  # a record's JSON; its images travel separately


@bp.get("/session")
def session():
    user = current_user
    profile = user.profile
    return jsonify({
        "user": {
            "id": user.id, "username": user.username, "full_name": user.full_name,
            "department": user.department.name if user.department else None,
            "certificate_no": profile.certificate_no if profile else None,
        },
        "csrf_token": generate_csrf(),
        # Kept by the phone: sent to /logout/later when it signs out without network (stages/accounts/sessions.py).
        "signout_token": sessions.signout_token(user),
        "server_time": clock.utcnow().isoformat(),
    })


@bp.get("/tasks")
def task_list():
    return jsonify(tasks.tasks_payload(current_user))


@bp.get("/media/<int:record_id>/<sha256>")
def media_present(record_id, sha256):
    record = member_record(current_user, record_id)
    if record is None:
        return not_on_team()
    media = uploads.existing(record, sha256.lower()) if rules.is_sha256(sha256.lower()) else None
    if media is None:
        return json_error(404, "服务器上还没有这张图片。", sha256=sha256)
    return jsonify({"sha256": media.sha256, "media_id": media.id})


@bp.post("/media/<int:record_id>")
def media_upload(record_id):
    record = member_record(current_user, record_id)
    if record is None:
        return not_on_team()
    outcome = uploads.upload(
        record, current_user, request.files.get("file"), request.form.get("sha256"), request.form.get("kind"),
        request.form.get("captured_at"),
    )
    return outcome_answer(outcome)


@bp.put("/records/<client_uuid>")
def record_put(client_uuid):
    if (request.content_length or 0) > MAX_RECORD_BYTES:
        return json_error(413, "记录内容过大。")
    body = request.get_json(silent=True)
    if body is None:
        return json_error(400, "请求内容不是有效的 JSON。")
    return outcome_answer(submit.submit(current_user, client_uuid, body))
