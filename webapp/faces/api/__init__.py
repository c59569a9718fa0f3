"""The phone's API (docs/field-api.md): one blueprint under /api/field/, one preamble (signed in, then CSRF), one
error shape ({"error": 中文说明, …detail}), answers never cached and gzipped when large."""
import gzip

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from webapp.core.errors import json_error
from webapp.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/field")

GZIP_FROM = 2048  # the task list repeats each plan's items per task: it shrinks ~40× on a weak network

# Sign-in comes before CSRF here: a phone whose session expired must hear 401 ("sign in again"), not a CSRF
# error, so the check runs below in that order instead of in Flask-WTF's app-wide hook
# (docs/field-api.md §Order of checks).
csrf.exempt(bp)


@bp.before_request
def signed_in_then_csrf():
    if not current_user.is_authenticated:
        return json_error(401, "请重新登录", login="/login?next=/field/")
    if current_app.config.get("WTF_CSRF_ENABLED", True) and request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            csrf.protect()
        except CSRFError:
            return json_error(400, "安全校验失败（CSRF），请刷新后重试。", csrf=True)


def not_on_team():
    """The one answer for a record that does not exist and for one the user is not on the team of
    (docs/field-api.md §Order of checks, step 4)."""
    return json_error(404, "任务不存在或您不在该检查组中。")


def outcome_answer(outcome):
    """A field stage's outcome (status, body) as the answer: an error body goes through `json_error`."""
    if outcome.status >= 400:
        body = dict(outcome.body)
        return json_error(outcome.status, body.pop("error", None), **body)
    return jsonify(outcome.body), outcome.status


@bp.after_request
def never_cached(response):
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    if (request.method == "GET" and response.mimetype == "application/json" and not response.direct_passthrough
            and "gzip" in request.headers.get("Accept-Encoding", "") and "Content-Encoding" not in response.headers):
        data = response.get_data()
        if len(data) >= GZIP_FROM:
            response.set_data(gzip.compress(data, compresslevel=6))
            response.headers["Content-Encoding"] = "gzip"
        response.headers.add("Vary", "Accept-Encoding")
    return response


from webapp.faces.api import amendments, credential, views  # noqa: E402,F401  (routes register on bp)
