"""导入待同步数据 (issue 16 §3): a phone whose browser may evict its storage exports its outbox to a file
(static/field/export.js); on any browser, signed in as the same inspector, /field/import uploads it and replays
it through the phone's own idempotent path: each photo by its SHA-256 (uploads.upload), each record under its
client UUID (submit.submit), each 补充说明 under its client_id (the API's amendment answer). Importing the same
file twice creates nothing twice; a file exported by another inspector is refused whole and writes nothing.
"""
import base64
import binascii
import io
import json
from dataclasses import dataclass

from flask import render_template, request
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from webapp.core.extensions import db
from webapp.domain import roles
from webapp.domain.refusal import Refused
from webapp.faces.auth.gate import role_required
from webapp.faces.field.views import bp
from webapp.stages.field import submit, uploads
from webapp.stages.field.tasks import member_record

FORMAT = "spotcheck-field-outbox"
VERSIONS = (1,)


@dataclass
class Line:
    what: str
    ok: bool
    text: str


class BadFile(Exception):
    pass


def parse(raw: bytes) -> dict:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise BadFile("文件不是现场检查导出的待同步数据（无法读取 JSON）。") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") not in VERSIONS:
        raise BadFile("文件不是现场检查导出的待同步数据，或来自不支持的版本。")
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    if user.get("id") != current_user.id:
        who = user.get("full_name") or user.get("username") or "其他人员"
        raise BadFile(f"这份文件是 {who} 导出的待同步数据，只能由本人登录后导入。未导入任何内容。")
    for key in ("records", "amendments"):
        if not isinstance(data.get(key, []), list) or not all(isinstance(x, dict) for x in data.get(key, [])):
            raise BadFile("文件内容不完整，未导入。")
    return data


def _media(record, item) -> str | None:
    """Upload one photo or signature of the file; None when the server has it, else why not."""
    try:
        blob = base64.b64decode(str(item.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        return "一张图片的数据已损坏"
    ext = "png" if item.get("type") == "image/png" else "jpg"
    file = FileStorage(io.BytesIO(blob), filename=f"{item.get('sha256')}.{ext}")
    outcome = uploads.upload(record, current_user, file, item.get("sha256"), item.get("kind"), item.get("captured_at"))
    return None if outcome.status < 400 else outcome.body.get("error", "图片未被接收")


def replay_record(item) -> Line:
    record_id, payload = item.get("record_id"), item.get("payload")
    record = member_record(current_user, record_id) if isinstance(record_id, int) else None
    if record is None or not isinstance(payload, dict) or payload.get("record_id") != record_id:
        return Line(f"记录 {record_id}", False, "任务不存在或您不在该检查组中，未导入。")
    name = record.entity.name
    for media in item.get("media") or []:
        why = _media(record, media) if isinstance(media, dict) else "图片数据格式不正确"
        if why:
            return Line(name, False, f"图片未导入：{why}")
    outcome = submit.submit(current_user, str(item.get("client_uuid") or ""), payload)
    if outcome.status == 201:
        return Line(name, True, "已导入并提交。")
    if outcome.status == 200:
        return Line(name, True, "服务器上已有这份记录（内容一致），未重复创建。")
    return Line(name, False, f"未导入：{outcome.body.get('error', '服务器未接收')}")


def replay_amendment(item) -> Line:
    from webapp.faces.api import amendments

    try:
        response, status = amendments.answer(str(item.get("client_uuid") or ""),
                                             {"text": item.get("text"), "client_id": item.get("client_id")})
    except Refused as refused:
        db.session.rollback()
        return Line("补充说明", False, f"未导入：{refused.message}")
    body = response.get_json() or {}
    if status == 201:
        return Line("补充说明", True, "已导入并提交。")
    if status == 200:
        return Line("补充说明", True, "服务器上已有这份补充说明，未重复创建。")
    return Line("补充说明", False, f"未导入：{body.get('error', '服务器未接收')}")


@bp.route("/field/import", methods=["GET", "POST"])
@role_required(roles.INSPECTOR, roles.EXPERT)
def import_outbox():
    lines, error = [], None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error = "请选择从现场检查导出的待同步数据文件（.json）。"
        else:
            try:
                data = parse(upload.read())
            except BadFile as bad:
                error = str(bad)
            else:
                lines = [replay_record(x) for x in data.get("records", [])]
                lines += [replay_amendment(x) for x in data.get("amendments", [])]
                if not lines:
                    error = "文件中没有待同步的记录。"
    status = 422 if error and request.method == "POST" else 200
    return render_template("field/import.html", lines=lines, error=error), status
