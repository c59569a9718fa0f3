"""Pages of the directories. Thin: parse the request, call importing/domain, render."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from webapp.core import audit
from webapp.core.extensions import db
from webapp.domain import imports, normalise, risk, roles
from webapp.faces.auth.gate import role_required
from webapp.faces.department.scope import can_import, own_department_id, require_batch, require_department
from webapp.stages.accounts.models import Department
from webapp.stages.directory import importing
from webapp.stages.directory.models import CheckItem, CheckPoint, Conflict, Entity, ImportBatch, InspectorProfile

bp = Blueprint("directory", __name__, url_prefix="/directory")

ADMINS = (roles.OFFICE_ADMIN, roles.DEPT_ADMIN)
PER_PAGE = 25


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


# --- the object directory --------------------------------------------------------------------------------------

@bp.route("/entities")
@role_required(*ADMINS)
def entities():
    q = normalise.clean_text(request.args.get("q", ""))[:100]
    level = request.args.get("risk", "")
    query = select(Entity)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Entity.name.like(like), Entity.uscc.like(f"%{normalise.clean_code(q)}%")))
    if level in risk.LEVELS:
        query = query.where(Entity.risk_level == level)
    pagination = db.paginate(query.order_by(Entity.id), page=_page(), per_page=PER_PAGE, error_out=False)
    counts = dict(db.session.execute(select(Entity.risk_level, func.count()).group_by(Entity.risk_level)).all())
    return render_template("directory/entities.html", pagination=pagination, q=q, level=level, counts=counts,
                           can_import=can_import("entities"))


# --- imports ---------------------------------------------------------------------------------------------------

KIND_BACK = {"entities": "directory.entities", "inspectors": "directory.inspectors", "conflicts": "directory.inspectors"}


@bp.route("/imports/new/<kind>", methods=["GET", "POST"])
@role_required(*ADMINS)
def import_new(kind):
    if kind not in ImportBatch.KIND_LABELS:
        abort(404)
    if not can_import(kind):
        abort(403)
    spec = _spec_preview(kind)
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        if not data:
            flash("请选择要导入的文件（XLSX 或 CSV）。", "error")
        else:
            try:
                batch = importing.start(kind, upload.filename, data, current_user, own_department_id())
            except importing.ImportFailed as e:
                db.session.rollback()
                flash(str(e), "error")
            else:
                if batch.status == "mapping":
                    flash("部分必需的列未能识别，请指定表头与字段的对应关系。", "error")
                    return redirect(url_for("directory.import_mapping", batch_id=batch.id))
                return redirect(url_for("directory.import_preview", batch_id=batch.id))
    recent = db.session.scalars(_batches_query(kind).order_by(ImportBatch.id.desc()).limit(10)).all()
    return render_template("directory/import_new.html", kind=kind, label=ImportBatch.KIND_LABELS[kind], spec=spec,
                           recent=recent, back=KIND_BACK[kind])


def _spec_preview(kind):
    if kind == "entities":
        return imports.entity_spec()
    if kind == "inspectors":
        return imports.inspector_spec({}, own_department_id())
    return imports.conflict_spec()


def _batches_query(kind):
    query = select(ImportBatch).where(ImportBatch.kind == kind)
    scope = own_department_id()
    if scope is not None:
        query = query.where(ImportBatch.department_id == scope)
    return query


def _batch(batch_id) -> ImportBatch:
    batch = db.get_or_404(ImportBatch, batch_id)
    require_batch(batch)
    return batch


@bp.route("/imports/<int:batch_id>")
@role_required(*ADMINS)
def import_preview(batch_id):
    batch = _batch(batch_id)
    if batch.status == "mapping":
        return redirect(url_for("directory.import_mapping", batch_id=batch.id))
    action = request.args.get("action", "")
    if action == "all":
        action = ""
    elif action not in imports.ACTION_LABELS:  # first visit: what needs attention first
        action = imports.REJECTED if batch.summary.get(imports.REJECTED) else ""
    pagination = importing.rows(batch, action or None, _page(), PER_PAGE)
    spec = importing.spec_for(batch)
    return render_template("directory/import_preview.html", batch=batch, pagination=pagination, action=action,
                           labels=spec.labels, ACTIONS=imports.ACTION_LABELS, back=KIND_BACK[batch.kind])


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
        if batch.status == "mapping":
            flash("仍有必需的字段没有对应的列，或同一字段对应了多列。", "error")
        else:
            return redirect(url_for("directory.import_preview", batch_id=batch.id))
    match = importing.header_match(batch)
    chosen = {index: field for field, index in match.colmap.items()}
    return render_template("directory/import_mapping.html", batch=batch, spec=spec, match=match, chosen=chosen,
                           back=KIND_BACK[batch.kind])


@bp.route("/imports/<int:batch_id>/override", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def import_override(batch_id):
    batch = _batch(batch_id)
    if request.form.get("confirm") != "yes":
        flash("请勾选“已人工核对该代码无误”后再确认例外。", "error")
    else:
        try:
            row = importing.override_checksum(batch, request.form.get("line", type=int) or 0, current_user)
            flash(f"第 {row.line} 行已按校验位例外处理（已记入审计）。", "success")
        except importing.ImportFailed as e:
            db.session.rollback()
            flash(str(e), "error")
    return redirect(url_for("directory.import_preview", batch_id=batch.id, action=request.form.get("action", "")))


@bp.route("/imports/<int:batch_id>/commit", methods=["POST"])
@role_required(*ADMINS)
def import_commit(batch_id):
    batch = _batch(batch_id)
    try:
        applied = importing.commit(batch, current_user)
    except importing.ImportFailed as e:
        flash(str(e), "error")
        return redirect(url_for("directory.import_preview", batch_id=batch.id))
    flash(f"已导入：新增 {applied['created']} 条，更新 {applied['updated']} 条。", "success")
    return redirect(url_for("directory.import_preview", batch_id=batch.id))


@bp.route("/imports/<int:batch_id>/discard", methods=["POST"])
@role_required(*ADMINS)
def import_discard(batch_id):
    batch = _batch(batch_id)
    try:
        importing.discard(batch, current_user)
        flash("已放弃本次导入，数据库未作任何修改。", "success")
    except importing.ImportFailed as e:
        flash(str(e), "error")
    return redirect(url_for(KIND_BACK[batch.kind]))


@bp.route("/imports/<int:batch_id>/rejected.xlsx")
@role_required(*ADMINS)
def import_rejected(batch_id):
    import io

    batch = _batch(batch_id)
    name = f"未导入的行-批次{batch.id}.xlsx"
    return send_file(io.BytesIO(importing.rejected_xlsx(batch)), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- the inspector roster --------------------------------------------------------------------------------------

def _departments():
    return db.session.scalars(select(Department).order_by(Department.id)).all()


@bp.route("/inspectors")
@role_required(*ADMINS)
def inspectors():
    scope = own_department_id()
    department_id = scope or request.args.get("department", type=int)
    query = select(InspectorProfile)
    if department_id:
        query = query.where(InspectorProfile.department_id == department_id)
    q = normalise.clean_text(request.args.get("q", ""))[:64]
    if q:
        query = query.where(or_(InspectorProfile.name.like(f"%{q}%"),
                                InspectorProfile.certificate_no.like(f"%{normalise.clean_code(q)}%")))
    pagination = db.paginate(query.order_by(InspectorProfile.department_id, InspectorProfile.id), page=_page(),
                             per_page=PER_PAGE, error_out=False)
    return render_template("directory/inspectors.html", pagination=pagination, departments=_departments(),
                           department_id=department_id, scope=scope, q=q, today=date.today())


def _inspector(profile_id) -> InspectorProfile:
    profile = db.get_or_404(InspectorProfile, profile_id)
    require_department(profile.department_id)
    return profile


def _parsed(parse, value, errors: list[str], label: str = ""):
    """A normalise parser's value, or None with its message added to `errors`."""
    try:
        return parse(value)
    except ValueError as e:
        errors.append(f"{label}：{e}" if label else str(e))
        return None


def _read_inspector_form(profile: InspectorProfile, scope) -> list[str]:
    form, errors = request.form, []
    name = normalise.clean_text(form.get("name", ""))[:64]
    if not name:
        errors.append("请填写姓名。")
    cert = _parsed(normalise.parse_certificate, form.get("certificate_no", ""), errors)
    if cert:
        other = db.session.scalar(select(InspectorProfile).where(InspectorProfile.certificate_no == cert))
        if other is not None and other.id != profile.id:
            errors.append(f"执法证号 {cert} 已属于 {other.name}。")
    elif not form.get("certificate_no", "").strip():
        errors.append("请填写执法证号。")
    department_id = scope or form.get("department_id", type=int)
    if not department_id or db.session.get(Department, department_id) is None:
        errors.append("请选择所属部门。")
    valid_from = _parsed(normalise.parse_date, form.get("valid_from", ""), errors, "有效期起")
    valid_to = _parsed(normalise.parse_date, form.get("valid_to", ""), errors, "有效期止")
    if valid_from and valid_to and valid_to < valid_from:
        errors.append("有效期止早于有效期起。")
    phone = _parsed(normalise.parse_phone, form.get("phone", ""), errors)
    status = form.get("status", "active")
    if status not in InspectorProfile.STATUS_LABELS:
        errors.append("请选择人员状态。")
    if errors:
        return errors
    profile.name, profile.certificate_no, profile.department_id = name, cert, department_id
    profile.valid_from, profile.valid_to, profile.phone = valid_from, valid_to, phone
    profile.qualifications = list(normalise.parse_list(form.get("qualifications", "")))
    profile.is_expert = form.get("is_expert") == "1"
    profile.status = status
    return []


@bp.route("/inspectors/new", methods=["GET", "POST"])
@bp.route("/inspectors/<int:profile_id>/edit", methods=["GET", "POST"])
@role_required(*ADMINS)
def inspector_edit(profile_id=None):
    scope = own_department_id()
    profile = _inspector(profile_id) if profile_id else InspectorProfile(department_id=scope, status="active",
                                                                          qualifications=[], is_expert=False)
    errors = []
    if request.method == "POST":
        with db.session.no_autoflush:
            errors = _read_inspector_form(profile, scope)
        if not errors:
            if profile.id is None:
                db.session.add(profile)
            db.session.flush()
            audit.record("inspector.save" if profile_id else "inspector.create", profile,
                         certificate_no=profile.certificate_no, department_id=profile.department_id)
            db.session.commit()
            flash(f"已保存 {profile.name}。", "success")
            return redirect(url_for("directory.inspector", profile_id=profile.id))
        db.session.rollback()
    return render_template("directory/inspector_edit.html", profile=profile, errors=errors, form=request.form,
                           departments=_departments(), scope=scope)


@bp.route("/inspectors/<int:profile_id>")
@role_required(*ADMINS)
def inspector(profile_id):
    profile = _inspector(profile_id)
    conflicts = db.session.scalars(select(Conflict).where(Conflict.inspector_id == profile.id)
                                   .order_by(Conflict.id)).all()
    return render_template("directory/inspector.html", profile=profile, conflicts=conflicts, today=date.today())


@bp.route("/inspectors/<int:profile_id>/conflicts", methods=["POST"])
@role_required(*ADMINS)
def conflict_add(profile_id):
    profile = _inspector(profile_id)
    code = normalise.clean_code(request.form.get("uscc", ""))
    reason = normalise.clean_text(request.form.get("reason", ""))[:300]
    entity = db.session.scalar(select(Entity).where(Entity.uscc == code)) if code else None
    if entity is None:
        flash("检查对象名录库中没有该统一社会信用代码。", "error")
    elif not reason:
        flash("请填写回避原因。", "error")
    elif db.session.scalar(select(Conflict).filter_by(inspector_id=profile.id, entity_id=entity.id)):
        flash(f"已登记过与“{entity.name}”的回避关系。", "error")
    else:
        conflict = Conflict(inspector_id=profile.id, entity_id=entity.id, reason=reason,
                            declared_by_id=current_user.id)
        db.session.add(conflict)
        db.session.flush()
        audit.record("conflict.declare", conflict, inspector=profile.certificate_no, uscc=entity.uscc, reason=reason)
        db.session.commit()
        flash(f"已登记回避：{profile.name} 不参与检查“{entity.name}”。", "success")
    return redirect(url_for("directory.inspector", profile_id=profile.id))


@bp.route("/conflicts/<int:conflict_id>/delete", methods=["POST"])
@role_required(*ADMINS)
def conflict_delete(conflict_id):
    conflict = db.get_or_404(Conflict, conflict_id)
    profile = _inspector(conflict.inspector_id)
    audit.record("conflict.withdraw", conflict, inspector=profile.certificate_no, uscc=conflict.entity.uscc,
                 reason=conflict.reason)
    db.session.delete(conflict)
    db.session.commit()
    flash("已撤销该回避登记。", "success")
    return redirect(url_for("directory.inspector", profile_id=profile.id))


# --- the check-item library ------------------------------------------------------------------------------------

@bp.route("/items")
@role_required(*ADMINS)
def items():
    scope = own_department_id()
    departments = [d for d in _departments() if scope is None or d.id == scope]
    by_department = {
        d.id: db.session.scalars(select(CheckItem).where(CheckItem.department_id == d.id)
                                 .order_by(CheckItem.position, CheckItem.id)).all()
        for d in departments
    }
    return render_template("directory/items.html", departments=departments, by_department=by_department,
                           can_edit=_can_edit_items)


def _can_edit_items(department_id: int) -> bool:
    return current_user.has_role(roles.DEPT_ADMIN) and current_user.department_id == department_id


def _item_snapshot(item: CheckItem) -> dict:
    return {"title": item.title, "methods": list(item.methods or []), "legal_basis": item.legal_basis,
            "required_qualification": item.required_qualification, "active": item.active,
            "points": [p.text for p in item.points]}


@bp.route("/items/new", methods=["GET", "POST"])
@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(roles.DEPT_ADMIN)
def item_edit(item_id=None):
    if item_id:
        item = db.get_or_404(CheckItem, item_id)
    else:
        item = CheckItem(department_id=current_user.department_id, methods=["document", "onsite"], legal_basis="",
                         active=True, version=1)
    if not _can_edit_items(item.department_id):
        abort(403, "只能修改本部门的检查事项。")
    errors = []
    if request.method == "POST":
        before = _item_snapshot(item) if item.id else None
        form = request.form
        title = normalise.clean_text(form.get("title", ""))[:200]
        methods = [m for m in CheckItem.METHODS if m in form.getlist("methods")]
        points = [normalise.clean_text(p)[:300] for p in form.get("points", "").splitlines()]
        points = [p for p in points if p]
        if not title:
            errors.append("请填写事项名称。")
        if not methods:
            errors.append("请至少选择一种检查方式。")
        if not points:
            errors.append("请至少填写一个检查要点（每行一个）。")
        if not errors:
            after = {"title": title, "methods": methods, "legal_basis": form.get("legal_basis", "").strip(),
                     "required_qualification": normalise.clean_text(form.get("required_qualification", ""))[:64] or None,
                     "active": form.get("active") == "1", "points": points}
            if before == after:
                flash("内容没有变化。", "info")
                return redirect(url_for("directory.items"))
            for name in ("title", "methods", "legal_basis", "required_qualification", "active"):
                setattr(item, name, after[name])
            item.points = [CheckPoint(position=i, text=t) for i, t in enumerate(points)]
            if item.id is None:
                item.position = (db.session.scalar(select(func.max(CheckItem.position))
                                                   .where(CheckItem.department_id == item.department_id)) or 0) + 1
                db.session.add(item)
            else:
                item.version = (item.version or 1) + 1  # plans keep the copy of the version they were made with
            db.session.flush()
            audit.record("item.save" if before else "item.create", item, version=item.version, before=before,
                         after=after)
            db.session.commit()
            flash(f"已保存“{item.title}”（第 {item.version} 版）。", "success")
            return redirect(url_for("directory.items"))
        db.session.rollback()
    return render_template("directory/item_edit.html", item=item, errors=errors, form=request.form,
                           METHODS=CheckItem.METHODS)
