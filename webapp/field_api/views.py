"""The field sync API the phone talks to (contract: FIELD_API.md). Thin: parse, check, call, answer JSON."""
import gzip
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf

from ..domain import findings as rules
from ..extensions import csrf
from . import submit, tasks, uploads

bp = Blueprint("field_api", __name__, url_prefix="/api/field")

MAX_RECORD_BYTES = 1024 * 1024  # a record's JSON; its images travel separately
GZIP_FROM = 2048  # the task list repeats each plan's items per task: it shrinks ~40× on a weak network

# Sign-in comes before CSRF here: a phone whose session expired must hear 401 ("sign in again"), not a CSRF
# error, so the check runs below in that order instead of in Flask-WTF's app-wide hook.
csrf.exempt(bp)


def _json(body: dict, status: int = 200):
    return jsonify(body), status


def _not_found():
    return _json({"error": "任务不存在或您不在该检查组中。"}, 404)


@bp.before_request
def signed_in_then_csrf():
    if not current_user.is_authenticated:
        return _json({"error": "请重新登录", "login": "/login?next=/field/"}, 401)
    if current_app.config.get("WTF_CSRF_ENABLED", True) and request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            csrf.protect()
        except CSRFError:
            return _json({"error": "安全校验失败（CSRF），请刷新后重试。", "csrf": True}, 400)


@bp.after_request
def never_cached(response):
    response.headers["Cache-Control"] = "no-store"
    if (request.method == "GET" and response.mimetype == "application/json" and not response.direct_passthrough
            and "gzip" in request.headers.get("Accept-Encoding", "") and "Content-Encoding" not in response.headers):
        data = response.get_data()
        if len(data) >= GZIP_FROM:
            response.set_data(gzip.compress(data, compresslevel=6))
            response.headers["Content-Encoding"] = "gzip"
        response.headers.add("Vary", "Accept-Encoding")
    return response


@bp.get("/session")
def session():
    user = current_user
    profile = user.profile
    return _json({
        "user": {
            "id": user.id, "username": user.username, "full_name": user.full_name,
            "department": user.department.name if user.department else None,
            "certificate_no": profile.certificate_no if profile else None,
        },
        "csrf_token": generate_csrf(),
        "server_time": datetime.now(timezone.utc).isoformat(),
    })


@bp.get("/tasks")
def task_list():
    return _json(tasks.tasks_payload(current_user))


@bp.get("/media/<int:record_id>/<sha256>")
def media_present(record_id, sha256):
    record = tasks.member_record(current_user, record_id)
    if record is None:
        return _not_found()
    media = uploads.existing(record, sha256.lower()) if rules.is_sha256(sha256.lower()) else None
    if media is None:
        return _json({"error": "服务器上还没有这张图片。", "sha256": sha256}, 404)
    return _json({"sha256": media.sha256, "media_id": media.id})


@bp.post("/media/<int:record_id>")
def media_upload(record_id):
    record = tasks.member_record(current_user, record_id)
    if record is None:
        return _not_found()
    outcome = uploads.upload(
        record, current_user, request.files.get("file"), request.form.get("sha256"), request.form.get("kind"),
        request.form.get("captured_at"),
    )
    return _json(outcome.body, outcome.status)


@bp.put("/records/<client_uuid>")
def record_put(client_uuid):
    if (request.content_length or 0) > MAX_RECORD_BYTES:
        return _json({"error": "记录内容过大。"}, 413)
    body = request.get_json(silent=True)
    if body is None:
        return _json({"error": "请求内容不是有效的 JSON。"}, 400)
    outcome = submit.submit(current_user, client_uuid, body)
    return _json(outcome.body, outcome.status)
