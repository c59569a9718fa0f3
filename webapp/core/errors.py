"""Refusals and the one error handler: JSON to the API and the phone, a page (or flash-and-redirect) to people.

A stage that will not do something raises `Refused` with the reason in Chinese and an HTTP status; nothing it
wrote stays (the handler rolls the session back). Every JSON error has one shape: {"error": 中文说明, …detail}.

A page view does not catch refusals. Before the stage call it says where a refusal goes back to,
`errors.back_to(url_for(...))`, and the handler flashes the reason there; a form that is shown again with the
reason (what was typed kept) says `errors.show_again(render)` instead. Without either, a refused POST goes back
to the page it was posted from (a same-site Referer that answers GET), else to the home page; a refused GET
shows the error page."""
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

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


# Per request: cleared before each one (tests keep one app context, and so one `g`, across requests).
_BACK_TO, _SHOW_AGAIN = "refusal_back_to", "refusal_show_again"


def back_to(url: str) -> None:
    """Where a refusal of this request returns: the handler rolls back, flashes the reason and redirects to `url`.
    Call it before the stage call, then let `Refused` propagate."""
    setattr(g, _BACK_TO, url)


def show_again(render: Callable[[], object]) -> None:
    """For a form answered with itself and the reason: the handler rolls back, flashes the reason and answers
    `render()` (a response, or a (body, status) tuple) instead of redirecting."""
    setattr(g, _SHOW_AGAIN, render)


def _answers_get(url: str) -> bool:
    """Whether `url` is a page of this site a browser may be sent to (a route answering GET)."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return False
    path = parts.path
    root = request.script_root
    if root and path.startswith(root):
        path = path[len(root):]
    try:
        current_app.url_map.bind_to_environ(request.environ).match(path or "/", method="GET")
    except RequestRedirect:
        return True
    except HTTPException:  # no such page, or a POST-only address
        return False
    return True


def _back() -> str:
    """Where a refused form goes when its view named no page: the page it was posted from (same site, answering
    GET), else the home page. Never the POST-only address that refused."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url) and _answers_get(referrer):
        return referrer
    return url_for("main.home")


def init_app(app):
    @app.before_request
    def forget_refusal_targets():
        g.pop(_BACK_TO, None)
        g.pop(_SHOW_AGAIN, None)

    @app.errorhandler(Refused)
    def refused(e: Refused):
        db.session.rollback()
        if wants_json():
            return json_error(e.status, e.message, **e.detail)
        render, target = g.pop(_SHOW_AGAIN, None), g.pop(_BACK_TO, None)
        if render is None and target is None and request.method == "GET":
            return render_template("errors/error.html", status=e.status, message=e.message), e.status
        flash(e.message, "error")
        if render is not None:
            return render()
        return redirect(target or _back())

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_response(400, "页面已过期或请求无效（CSRF 校验失败），请刷新后重试。")

    @app.errorhandler(HTTPException)
    def http_error(e):
        # abort(409, "中文说明") carries its own message; werkzeug's English defaults are replaced.
        own = e.description if e.description != type(e).description else None
        return error_response(e.code or 500, own)
