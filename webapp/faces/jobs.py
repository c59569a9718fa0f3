"""A job's state as small JSON, for the progress bar of the page that started it (webapp/core/jobs.py), the file
a finished job made, and how a form that starts a job answers.

Same checks as the page: signed in, and the job is the user's own, or the user is an office admin of a jurisdiction
it belongs to (or one above); any other id answers 404, so ids cannot be probed. A job's file (result `file`: a key in the media store, never
served by the media pages) goes to the user who started the job, or to a user of the job's jurisdictions who
holds one of the result's `roles` (e.g. the office admins, for a plan's bundle); anyone else gets 404.

A form that starts a job answers with `started(job, …)`: a job already done (eager in tests and when the key
found a finished one) flashes its message; a failed one refuses with its Chinese error; one still queued or
running (and any job with a file) sends the user to the page with `?job=<id>`, where base.html shows the
progress bar (templates/_progress.html, static/js/progress.js)."""
from typing import Callable

from flask import Blueprint, Response, abort, flash, has_request_context, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from webapp.core import jobs
from webapp.core.extensions import db
from webapp.core.jobs import Job
from webapp.core.storage import StorageMissing, storage
from webapp.domain import roles
from webapp.domain.refusal import Refused
from webapp.stages.accounts.jurisdictions import visible_ids

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


# What the progress bar calls each kind of job (the page that started it shows this title).
LABELS = {"plan.bundle": "一企一表打包（PDF + 索引）", "export.results": "导出检查结果（XLSX）",
          "export.teams": "导出抽取名单及检查组（XLSX）", "publication.plan": "公示审核通过的结果",
          "draw.execute": "执行抽取并派发检查表", "directory.import_commit": "导入名录",
          "directory.import_preview": "读取并检查导入文件"}


def _sees(job: Job | None) -> bool:
    if job is None:
        return False
    if job.user_id is not None and job.user_id == current_user.id:
        return True
    # someone else's job: an office admin of its jurisdiction (or above), or a holder of its result's roles there
    may = current_user.has_role(roles.OFFICE_ADMIN, *((job.result or {}).get("roles") or ()))
    return may and job.jurisdiction_id is not None and job.jurisdiction_id in visible_ids(current_user)


def visible_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if not _sees(job):
        abort(404)
    return job


@bp.route("/<int:job_id>.json")
@login_required
def status(job_id):
    response = jsonify(visible_job(job_id).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_download(job: Job) -> bool:
    if job.user_id is not None and job.user_id == current_user.id:
        return True
    allowed = (job.result or {}).get("roles") or ()
    return bool(allowed) and current_user.has_role(*allowed)


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id):
    job = visible_job(job_id)
    result = job.result or {}
    if job.state != jobs.DONE or not result.get("file") or not _may_download(job):
        abort(404)
    store = storage()
    try:
        size = store.size(result["file"])
    except StorageMissing:
        abort(404)
    name = result.get("filename") or f"job-{job.id}"
    response = Response(store.iter_chunks(result["file"]), mimetype=result.get("mimetype") or "application/octet-stream")
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=job.{name.rsplit('.', 1)[-1]}; filename*=UTF-8''{quote(name)}"


@bp.app_context_processor
def _started_job():
    """`started_job`: the job named by `?job=` on any page, when the user may see it (base.html shows it)."""
    job_id = request.args.get("job", type=int) if has_request_context() else None
    if not job_id or not current_user.is_authenticated:
        return {"started_job": None, "job_label": ""}
    job = db.session.get(Job, job_id)
    return {"started_job": job if _sees(job) else None, "job_label": LABELS.get(getattr(job, "kind", ""), "后台任务")}


def started(job: Job, message: str | Callable[[dict], str], endpoint: str, **kwargs):
    """Answer the form that enqueued `job` (commits, which dispatches it): see the module's docstring."""
    db.session.commit()
    if job.state == jobs.FAILED:
        raise Refused(job.error or "任务失败。", 409)
    if job.state == jobs.DONE and not (job.result or {}).get("file"):
        flash(message(job.result or {}) if callable(message) else message, "success")
        return redirect(url_for(endpoint, **kwargs))
    if job.state != jobs.DONE:
        flash("已在后台开始，进度见下方；可以离开本页，稍后回来查看。", "success")
    return redirect(url_for(endpoint, job=job.id, **kwargs))
