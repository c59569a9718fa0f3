"""The follow-up list of a department (or all, for the office) and closing a task."""
import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.core import clock, errors, keyset
from webapp.core.storage import storage
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done
from webapp.stages.accounts import jurisdictions
from webapp.stages.publication import followup as tasks
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.media import make_thumbnail, thumbnail_key
from webapp.stages.records.models import InspectionRecord

bp = Blueprint("followup", __name__, url_prefix="/followup")


@bp.app_template_global("open_follow_ups")
def _open_follow_ups(department_id=None):
    """The home page's counts: of the department, else of the jurisdictions the office sees."""
    return tasks.open_counts(department_id, jurisdictions.visible_ids(current_user))


VIEW_ROLES = (roles.OFFICE_ADMIN, roles.DEPT_ADMIN, roles.REVIEWER)
PER_PAGE = 50


@bp.route("/")
@role_required(*VIEW_ROLES)
def index():
    status = request.args.get("status", "open")
    query = select(FollowUpTask).options(selectinload(FollowUpTask.record).joinedload(InspectionRecord.entity),
                                         selectinload(FollowUpTask.department))
    if status in ("open", "closed"):
        query = query.where(FollowUpTask.status == status)
    if not current_user.has_role(roles.OFFICE_ADMIN):
        query = query.where(FollowUpTask.department_id == current_user.department_id)
    else:  # the office: its jurisdiction's departments and those below
        query = tasks.in_jurisdictions(query, jurisdictions.visible_ids(current_user))
    found = keyset.page(query, FollowUpTask.id, request.args.get("after"), PER_PAGE, by=FollowUpTask.deadline)
    return render_template("followup/index.html", found=found, status=status, today=clock.today())


def _task(task_id) -> FollowUpTask:
    task = jurisdictions.owned_or_404(FollowUpTask, task_id, current_user)
    if not tasks.can_view(current_user, task):
        abort(403)
    return task


@bp.route("/<int:task_id>")
@role_required(*VIEW_ROLES)
def show(task_id):
    task = _task(task_id)
    return _task_page(task, tasks.can_close(current_user, task))


def _task_page(task: FollowUpTask, can_close: bool, evidence: str = ""):
    return render_template("followup/task.html", task=task, can_close=can_close, today=clock.today(),
                           evidence=evidence)


@bp.route("/<int:task_id>/close", methods=["POST"])
@role_required(roles.DEPT_ADMIN)
def close(task_id):
    task = _task(task_id)
    if not tasks.can_close(current_user, task):
        abort(403, "只有负有管辖职责的部门管理员可以办结此任务。")
    upload = request.files.get("image")
    # At most one byte past the limit is read: the stage refuses it by its size (413) without holding more.
    image = None
    if upload and upload.filename:
        image = upload.read(tasks.max_image_bytes() + 1)
        upload.close()  # a large body is spooled to a temporary file: closed at once, not left to the collector
    evidence = request.form.get("evidence", "")
    # Nothing typed is lost: a refusal brings the form back with the text.
    errors.show_again(lambda: (_task_page(task, can_close=True, evidence=evidence), 422))
    tasks.close(task, current_user, evidence, image, upload.filename if image else None)
    return done("已办结，公示页面将显示“已办结”。", "followup.show", task_id=task.id)


@bp.route("/<int:task_id>/evidence")
@role_required(*VIEW_ROLES)
def evidence(task_id):
    """The closing photo, for whoever may see the task (the department with jurisdiction may not be on the
    record's team, so the record's media rule does not fit here). Never public."""
    task = _task(task_id)
    if task.evidence_media is None:
        abort(404)
    # Only what the server made is served: the re-encoded file (`storage_key`) or its thumbnail, never the upload.
    media, store = task.evidence_media, storage()
    data, mimetype = store.read(media.storage_key), media.content_type
    if request.args.get("thumb"):
        key = thumbnail_key(media.sha256)
        if not store.exists(key):
            store.put(make_thumbnail(data), key)
        data, mimetype = store.read(key), "image/jpeg"
    response = send_file(io.BytesIO(data), mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
