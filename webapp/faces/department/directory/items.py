"""The check-item library (检查事项清单): each department keeps its own; a plan keeps the version it was made with."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain import normalise, roles
from webapp.faces.auth.gate import role_required
from webapp.faces.department.directory import ADMINS, all_departments, bp
from webapp.faces.department.scope import own_department_id
from webapp.faces.pages import done
from webapp.stages.accounts.jurisdictions import visible_ids
from webapp.stages.directory import catalogue
from webapp.stages.directory.models import CheckItem
from webapp.stages.plans import catalogue as usage


@bp.route("/items")
@role_required(*ADMINS)
def items():
    scope = own_department_id()
    departments = [d for d in all_departments() if scope is None or d.id == scope]
    by_department = {
        d.id: db.session.scalars(select(CheckItem).where(CheckItem.department_id == d.id)
                                 .order_by(CheckItem.position, CheckItem.id)).all()
        for d in departments
    }
    return render_template("directory/items.html", departments=departments, by_department=by_department,
                           can_edit=_can_edit_items)


def _can_edit_items(department_id: int) -> bool:
    return current_user.has_role(roles.DEPT_ADMIN) and current_user.department_id == department_id


@bp.route("/items/new", methods=["GET", "POST"])
@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(roles.DEPT_ADMIN)
def item_edit(item_id=None):
    if item_id:
        item = db.get_or_404(CheckItem, item_id)
        if item.department.jurisdiction_id not in visible_ids(current_user):
            abort(404)  # another jurisdiction's item does not exist for this user
    else:
        item = CheckItem(department_id=current_user.department_id, methods=["document", "onsite"], legal_basis="",
                         active=True, version=1)
    if not _can_edit_items(item.department_id):
        abort(403, "只能修改本部门的检查事项。")
    errors = []
    if request.method == "POST":
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
        national_code = normalise.clean_text(form.get("national_code", ""))[:64] or None
        frequency = normalise.clean_text(form.get("frequency", ""))[:64]
        raw_ratio = (form.get("ratio") or "").strip().rstrip("%")
        ratio = None
        if raw_ratio:
            if raw_ratio.isdigit() and 1 <= int(raw_ratio) <= 100:
                ratio = int(raw_ratio)
            else:
                errors.append("抽查比例应为 1 到 100 之间的整数（百分比），或留空。")
        if not errors:
            after = {"title": title, "methods": methods, "legal_basis": form.get("legal_basis", "").strip(),
                     "required_qualification": normalise.clean_text(form.get("required_qualification", ""))[:64] or None,
                     "national_code": national_code, "frequency": frequency, "ratio": ratio,
                     "active": form.get("active") == "1", "points": points}
            if not catalogue.save(item, after, user=current_user):
                flash("内容没有变化。", "info")
                return redirect(url_for("directory.items"))
            return done(f"已保存“{item.title}”（第 {item.version} 版）。", "directory.items")
    return render_template("directory/item_edit.html", item=item, errors=errors, form=request.form,
                           METHODS=CheckItem.METHODS)


@bp.route("/items/<int:item_id>/versions")
@role_required(*ADMINS)
def item_versions(item_id):
    """The item's versions as saved, and which plans use which version."""
    item = db.get_or_404(CheckItem, item_id)
    scope = own_department_id()
    if scope is not None and item.department_id != scope:
        abort(404)
    if current_user.jurisdiction_id is not None and item.department.jurisdiction_id not in visible_ids(current_user):
        abort(404)
    versions, used = catalogue.versions(item.id), usage.usage([item.id])
    kept = {v.version for v in versions}
    unkept = sorted((v for _, v in used if v not in kept), reverse=True)  # saved before the history was kept
    return render_template("directory/item_versions.html", item=item, versions=versions, used=used, unkept=unkept,
                           METHODS=CheckItem.METHODS)
