"""/api/v1/jobs: the background jobs of the token's jurisdiction (and below), e.g. an import's commit or a plan's
publication started from the pages, to follow by id. A token sees the kinds its scopes read (KIND_SCOPES); a
job's file and who may download it stay on the pages."""
from flask import g, jsonify, request
from sqlalchemy import or_, select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.jobs import STATES, Job
from webapp.faces.api_v1 import ApiError, bp
from webapp.faces.api_v1.resources import _cursor, _limit, _visible, page

# A job kind's first word → the scope that reads it.
KIND_SCOPES = {"directory": "directory:write", "plan": "plans:read", "draw": "plans:read",
               "publication": "results:read", "export": "results:read", "field": "records:read"}
HIDDEN = ("file", "roles")  # in a result: the media-store key and who may download it


def _prefixes() -> list[str]:
    return sorted(k for k, scope in KIND_SCOPES.items() if scope in g.api_token.scopes)


def job_json(job: Job) -> dict:
    return {"id": job.id, "kind": job.kind, "state": job.state, "state_label": job.state_label,
            "done": job.done, "total": job.total, "percent": job.percent, "attempts": job.attempts,
            "error": job.error, "jurisdiction_id": job.jurisdiction_id,
            "result": {k: v for k, v in job.result.items() if k not in HIDDEN} if job.result else None,
            "created_at": clock.iso(job.created_at), "started_at": clock.iso(job.started_at),
            "finished_at": clock.iso(job.finished_at)}


def _readable(q):
    prefixes = _prefixes()
    if not prefixes:
        raise ApiError(403, "该令牌的权限范围读不到任何后台任务。", "scope_missing")
    return q.where(or_(*[Job.kind.like(f"{p}.%") for p in prefixes]))


@bp.get("/jobs")
def jobs_list():
    limit, after = _limit(), _cursor()
    q = _readable(select(Job).where(Job.jurisdiction_id.in_(sorted(_visible())))).order_by(Job.id).limit(limit + 1)
    if after is not None:
        q = q.where(Job.id > after)
    state = request.args.get("state")
    if state:
        if state not in STATES:
            raise ApiError(400, f"参数 state 应为 {'、'.join(STATES)} 之一。", "invalid_parameter")
        q = q.where(Job.state == state)
    return page([job_json(j) for j in db.session.scalars(q)], lambda x: x["id"], limit)


@bp.get("/jobs/<int:job_id>")
def job(job_id):
    found = db.session.scalar(_readable(select(Job).where(Job.id == job_id)))
    if found is None or found.jurisdiction_id not in g.api_principal.visible_ids():
        raise ApiError(404, f"后台任务 {job_id} 不存在或不在本令牌的辖区内。")
    return jsonify(job_json(found))
