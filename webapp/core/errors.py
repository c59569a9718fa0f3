"""Refusals and the one error handler: JSON to the API and the phone, a page (or flash-and-redirect) to people.

A stage that will not do something raises `Refused` with the reason in Chinese and an HTTP status; nothing it
wrote stays (the handler rolls the session back). Every JSON error has one shape: {"error": 中文说明, …detail}."""
from flask import flash, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.core.extensions import db
from webapp.domain.refusal import Refused

MESSAGES = {
    400: "请求有误。",
    401: "请先登录。",
    403: "您没有权限访问此页面。",
    404: "页面不存在。",
    405: "不支持此操作。",
    409: "数据冲突。",
    413: "上传的文件过大。",
    429: "请求过于频繁，请稍后再试。",
    500: "服务器内部错误，请稍后再试。",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def json_error(code: int, message: str | None = None, **detail):
    """The API's error answer: {"error": 中文说明, …detail} with the HTTP status."""
    return jsonify(error=message or MESSAGES.get(code, "出错了。"), **detail), code


def error_response(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, "出错了。")
    if wants_json():
        return json_error(status, message)
    return render_template("errors/error.html", status=status, message=message), status


def _back():
    """Where a refused form goes: the page it was posted from (same site only), else the same address."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        return referrer
    return request.full_path.rstrip("?") if request.method == "GET" else request.path


def init_app(app):
    @app.errorhandler(Refused)
    def refused(e: Refused):
        db.session.rollback()
        if wants_json():
            return json_error(e.status, e.message, **e.detail)
        if request.method == "GET":
            return render_template("errors/error.html", status=e.status, message=e.message), e.status
        flash(e.message, "error")
        return redirect(_back())

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_response(400, "页面已过期或请求无效（CSRF 校验失败），请刷新后重试。")

    @app.errorhandler(HTTPException)
    def http_error(e):
        # abort(409, "中文说明") carries its own message; werkzeug's English defaults are replaced.
        own = e.description if e.description != type(e).description else None
        return error_response(e.code or 500, own)
