"""A job's state as small JSON, for the progress bar of the page that started it (webapp/core/jobs.py).

Same checks as the page: signed in, and the job is the user's own or belongs to a jurisdiction they see; any
other id answers 404, so ids cannot be probed."""
from flask import Blueprint, abort, jsonify
from flask_login import current_user, login_required

from webapp.core.extensions import db
from webapp.core.jobs import Job
from webapp.stages.accounts.jurisdictions import visible_ids

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def visible_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if job.user_id is not None and job.user_id == current_user.id:
        return job
    if job.jurisdiction_id is not None and job.jurisdiction_id in visible_ids(current_user):
        return job
    abort(404)


@bp.route("/<int:job_id>.json")
@login_required
def status(job_id):
    response = jsonify(visible_job(job_id).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response
