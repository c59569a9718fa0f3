"""The inspector roster (执法检查人员名录): the list, one person's page and form, and their 回避 (conflicts)."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.domain import normalise
from webapp.faces.auth.gate import role_required
from webapp.faces.department.directory import ADMINS, PER_PAGE, all_departments, bp, page_number
from webapp.faces.department.scope import own_department_id, require_department, visible_department_ids
from webapp.faces.pages import done
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department
from webapp.stages.directory.models import Conflict, Entity, InspectorProfile


@bp.route("/inspectors")
@role_required(*ADMINS)
def inspectors():
    scope = own_department_id()
    department_id = scope or request.args.get("department", type=int)
    query = select(InspectorProfile).where(InspectorProfile.department_id.in_(visible_department_ids()))
    if department_id:
        query = query.where(InspectorProfile.department_id == department_id)
    q = normalise.clean_text(request.args.get("q", ""))[:64]
    if q:
        query = query.where(or_(InspectorProfile.name.like(f"%{q}%"),
                                InspectorProfile.certificate_no.like(f"%{normalise.clean_code(q)}%")))
    pagination = db.paginate(query.order_by(InspectorProfile.department_id, InspectorProfile.id), page=page_number(),
                             per_page=PER_PAGE, error_out=False)
    return render_template("directory/inspectors.html", pagination=pagination, departments=all_departments(),
                           department_id=department_id, scope=scope, q=q, today=clock.today())


def _inspector(profile_id, write: bool = False) -> InspectorProfile:
    profile = db.get_or_404(InspectorProfile, profile_id)
    require_department(profile.department_id, write)
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
    department = db.session.get(Department, department_id) if department_id else None
    if department is None or not jurisdictions.runs(current_user, department.jurisdiction_id):
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
    profile = _inspector(profile_id, write=True) if profile_id else InspectorProfile(department_id=scope, status="active",
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
            return done(f"已保存 {profile.name}。", "directory.inspector", profile_id=profile.id)
    return render_template("directory/inspector_edit.html", profile=profile, errors=errors, form=request.form,
                           departments=all_departments(), scope=scope)


@bp.route("/inspectors/<int:profile_id>")
@role_required(*ADMINS)
def inspector(profile_id):
    profile = _inspector(profile_id)
    conflicts = db.session.scalars(select(Conflict).where(Conflict.inspector_id == profile.id)
                                   .order_by(Conflict.id)).all()
    return render_template("directory/inspector.html", profile=profile, conflicts=conflicts, today=clock.today())


@bp.route("/inspectors/<int:profile_id>/conflicts", methods=["POST"])
@role_required(*ADMINS)
def conflict_add(profile_id):
    profile = _inspector(profile_id, write=True)
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
    profile = _inspector(conflict.inspector_id, write=True)
    audit.record("conflict.withdraw", conflict, inspector=profile.certificate_no, uscc=conflict.entity.uscc,
                 reason=conflict.reason)
    db.session.delete(conflict)
    db.session.commit()
    flash("已撤销该回避登记。", "success")
    return redirect(url_for("directory.inspector", profile_id=profile.id))
