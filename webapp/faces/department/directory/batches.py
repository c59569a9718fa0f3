"""Directory imports: upload, header mapping, the row-by-row preview, checksum exceptions, commit or discard."""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.core import errors
from webapp.core.extensions import db
from webapp.domain import import_roster, imports, roles
from webapp.faces import jobs as job_pages
from webapp.faces.auth.gate import role_required
from webapp.faces.department.directory import ADMINS, PER_PAGE, bp, forwarded
from webapp.faces.department.scope import can_import, own_department_id, require_batch, visible_batches
from webapp.faces.pages import done
from webapp.stages.directory import commit_job, importing, preview_job
from webapp.stages.directory.models import ImportBatch

KIND_BACK = {"entities": "directory.entities", "inspectors": "directory.inspectors", "conflicts": "directory.inspectors"}


@bp.route("/imports/new/<kind>", methods=["GET", "POST"])
@role_required(*ADMINS)
def import_new(kind):
    if kind not in ImportBatch.KIND_LABELS:
        abort(404)
    if not can_import(kind):
        abort(403)
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        if not data:
            flash("请选择要导入的文件（XLSX 或 CSV）。", "error")
        else:
            errors.show_again(lambda: _import_new_page(kind))  # plainly no spreadsheet: this page again
            # The request keeps the file and enqueues its reading; the batch's page shows the job's progress.
            batch, job = preview_job.start(kind, upload.filename, data, current_user, own_department_id())
            db.session.commit()
            if not job.finished:
                return redirect(url_for("directory.import_preview", batch_id=batch.id, job=job.id))
            return _after_reading(db.session.get(ImportBatch, batch.id), job)
    return _import_new_page(kind)


def _after_reading(batch: ImportBatch, job):
    """Where a read batch goes: the mapping step, its preview, or (unreadable) the upload page with the reason."""
    if batch.status == importing.UNREADABLE:
        flash(job.error or batch.summary.get("error") or "文件无法读取。", "error")
        return redirect(url_for("directory.import_new", kind=batch.kind))
    if batch.status == "mapping":
        flash("部分必需的列未能识别，请指定表头与字段的对应关系。", "error")
        return redirect(url_for("directory.import_mapping", batch_id=batch.id))
    return redirect(url_for("directory.import_preview", batch_id=batch.id))


def _import_new_page(kind):
    recent = db.session.scalars(_batches_query(kind).order_by(ImportBatch.id.desc()).limit(10)).all()
    return render_template("directory/import_new.html", kind=kind, label=ImportBatch.KIND_LABELS[kind],
                           spec=_spec_preview(kind), recent=recent, back=KIND_BACK[kind],
                           forwarded=forwarded.for_import_page(kind))


def _spec_preview(kind):
    if kind == "entities":
        return imports.entity_spec()
    if kind == "inspectors":
        return import_roster.inspector_spec({}, own_department_id())
    return import_roster.conflict_spec()


def _batches_query(kind):
    query = visible_batches(select(ImportBatch).where(ImportBatch.kind == kind), current_user)
    scope = own_department_id()
    if scope is not None:
        query = query.where(ImportBatch.department_id == scope)
    return query


def _batch(batch_id) -> ImportBatch:
    """The batch if the user sees it (404 otherwise); a write (POST) only by its own jurisdiction's users."""
    batch = db.get_or_404(ImportBatch, batch_id)
    require_batch(batch, write=request.method == "POST")
    return batch


@bp.route("/imports/<int:batch_id>")
@role_required(*ADMINS)
def import_preview(batch_id):
    batch = _batch(batch_id)
    if batch.status in (importing.READING, importing.UNREADABLE):
        job = preview_job.job_of(batch)
        if batch.status == importing.READING and job is not None and request.args.get("job", type=int) != job.id:
            return redirect(url_for("directory.import_preview", batch_id=batch.id, job=job.id))  # the progress bar
        return render_template("directory/import_reading.html", batch=batch, job=job, back=KIND_BACK[batch.kind])
    if batch.status == "mapping":
        return redirect(url_for("directory.import_mapping", batch_id=batch.id))
    action = request.args.get("action", "")
    if action == "all":
        action = ""
    elif action not in imports.ACTION_LABELS:  # first visit: what needs attention first
        action = imports.REJECTED if batch.summary.get(imports.REJECTED) else ""
    pagination = importing.rows(batch, action or None, request.args.get("after", type=int), PER_PAGE)
    spec = importing.spec_for(batch)
    return render_template("directory/import_preview.html", batch=batch, pagination=pagination, action=action,
                           labels=spec.labels, ACTIONS=imports.ACTION_LABELS, back=KIND_BACK[batch.kind],
                           **forwarded.preview_context(batch))


@bp.route("/imports/<int:batch_id>/mapping", methods=["GET", "POST"])
@role_required(*ADMINS)
def import_mapping(batch_id):
    batch = _batch(batch_id)
    if batch.status not in ("mapping", "preview"):
        return redirect(url_for("directory.import_preview", batch_id=batch.id))
    spec = importing.spec_for(batch)
    if request.method == "POST":
        mapping = {}
        for index, header in enumerate(batch.headers):
            if header:
                field = request.form.get(f"col{index}", "")
                mapping[header] = field if field in spec.labels else ""
        importing.remap(batch, mapping, current_user)
        job = preview_job.again(batch, current_user)  # read again with the mapping: a job, as the upload's
        db.session.commit()
        if not job.finished:
            return redirect(url_for("directory.import_preview", batch_id=batch.id, job=job.id))
        batch = db.session.get(ImportBatch, batch.id)
        if batch.status != "mapping":
            return redirect(url_for("directory.import_preview", batch_id=batch.id))
        flash("仍有必需的字段没有对应的列，或同一字段对应了多列。", "error")
    match = importing.header_match(batch)
    chosen = {index: field for field, index in match.colmap.items()}
    return render_template("directory/import_mapping.html", batch=batch, spec=spec, match=match, chosen=chosen,
                           back=KIND_BACK[batch.kind])


@bp.route("/imports/<int:batch_id>/override", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def import_override(batch_id):
    batch = _batch(batch_id)
    back = url_for("directory.import_preview", batch_id=batch.id, action=request.form.get("action", ""))
    if request.form.get("confirm") != "yes":
        flash("请勾选“已人工核对该代码无误”后再确认例外。", "error")
        return redirect(back)
    errors.back_to(back)
    row = importing.override_checksum(batch, request.form.get("line", type=int) or 0, current_user)
    flash(f"第 {row.line} 行已按校验位例外处理（已记入审计）。", "success")
    return redirect(back)


@bp.route("/imports/<int:batch_id>/commit", methods=["POST"])
@role_required(*ADMINS)
def import_commit(batch_id):
    batch = _batch(batch_id)
    errors.back_to(url_for("directory.import_preview", batch_id=batch.id))
    job = commit_job.start(batch, current_user)  # a background job: the preview page shows its progress
    return job_pages.started(job, lambda applied: f"已导入：新增 {applied['created']} 条，更新 {applied['updated']} 条。",
                             "directory.import_preview", batch_id=batch.id)


@bp.route("/imports/<int:batch_id>/discard", methods=["POST"])
@role_required(*ADMINS)
def import_discard(batch_id):
    batch = _batch(batch_id)
    errors.back_to(url_for(KIND_BACK[batch.kind]))
    importing.discard(batch, current_user)
    return done("已放弃本次导入，数据库未作任何修改。", KIND_BACK[batch.kind])


@bp.route("/imports/<int:batch_id>/rejected.xlsx")
@role_required(*ADMINS)
def import_rejected(batch_id):
    batch = _batch(batch_id)
    name = f"未导入的行-批次{batch.id}.xlsx"
    return send_file(io.BytesIO(importing.rejected_xlsx(batch)), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
