"""The open API (/api/v1/…, described in /api/v1/openapi.json, readable at /api/v1/docs): for the systems around
spotcheck, signed in by an office's API token (`Authorization: Bearer sc_…`), never by a session, so no CSRF.
One error shape: {"error": 中文说明, "code": stable_code}; every call is audited; GET answers carry an ETag."""
import hashlib

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from webapp.core import audit
from webapp.core.extensions import csrf, db
from webapp.domain.refusal import Refused
from webapp.stages.integration import tokens

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

OPEN = {"api_v1.openapi", "api_v1.docs"}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 422: "invalid", 429: "too_many_requests", 500: "server_error"}
MESSAGES = {400: "请求有误。", 401: "缺少或无效的 API 令牌。", 403: "该令牌没有此操作的权限。", 404: "资源不存在。",
            405: "不支持此方法。", 409: "数据冲突。", 413: "上传的文件过大。", 500: "服务器内部错误，请稍后再试。"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code or CODES.get(status, "error")


def error(status: int, message: str | None = None, code: str | None = None):
    body = jsonify(error=message or MESSAGES.get(status, "出错了。"), code=code or CODES.get(status, "error"))
    return body, status


def need(scope: str):
    """Refuse unless the calling token carries `scope`."""
    if scope not in g.api_token.scopes:
        raise ApiError(403, f"该令牌没有“{tokens.SCOPES[scope]}”（{scope}）权限。", "scope_missing")


@bp.before_request
def authenticate():
    if request.endpoint in OPEN:
        return None
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header[:7].lower() == "bearer " else ""
    token = tokens.authenticate(raw)
    if token is None:
        db.session.rollback()
        return error(401, "缺少或无效的 API 令牌（请求头 Authorization: Bearer <令牌>）。", "unauthorized")
    g.api_token = token
    g.api_principal = tokens.TokenPrincipal(token)
    return None


@bp.errorhandler(ApiError)
def api_error(e: ApiError):
    db.session.rollback()
    return error(e.status, e.message, e.code)


@bp.errorhandler(Refused)
def refused(e: Refused):
    db.session.rollback()
    status = e.status if 400 <= e.status < 500 else 409
    return error(status, e.message, e.detail.get("code") if isinstance(e.detail.get("code"), str) else None)


@bp.errorhandler(HTTPException)
def http_error(e: HTTPException):
    db.session.rollback()
    return error(e.code or 500, MESSAGES.get(e.code or 500))


@bp.after_request
def audited_and_tagged(response):
    token = g.get("api_token")
    if token is not None:
        audit.record("api.call", token, user=token.created_by, method=request.method, path=request.path,
                     status=response.status_code, token=token.prefix)
        db.session.commit()
    if request.method == "GET" and response.status_code == 200 and not response.direct_passthrough:
        tag = '"' + hashlib.sha256(response.get_data()).hexdigest()[:32] + '"'
        response.headers["ETag"] = tag
        if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")] or \
                request.headers.get("If-None-Match", "").strip() == "*":
            response.status_code = 304
            response.set_data(b"")
    if token is not None:
        response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


from webapp.faces.api_v1 import docs, jobs, resources  # noqa: E402,F401  (routes register on bp)
