"""One error handler: JSON for the API and the phone, HTML for pages."""
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def error_response(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, "出错了。")
    if wants_json():
        return jsonify(error=message, status=status), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_response(400, "页面已过期或请求无效（CSRF 校验失败），请刷新后重试。")

    @app.errorhandler(HTTPException)
    def http_error(e):
        # abort(409, "中文说明") carries its own message; werkzeug's English defaults are replaced.
        own = e.description if e.description != type(e).description else None
        return error_response(e.code or 500, own)
