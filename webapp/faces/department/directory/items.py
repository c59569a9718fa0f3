"""The check-item library (检查事项清单): each department keeps its own; a plan keeps the version it was made with."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.core import audit
from webapp.core.extensions import db
from webapp.domain import normalise, roles
from webapp.faces.auth.gate import role_required
from webapp.faces.department.directory import ADMINS, all_departments, bp
from webapp.faces.department.scope import own_department_id
from webapp.faces.pages import done
from webapp.stages.directory.models import CheckItem, CheckPoint


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
            return done(f"已保存“{item.title}”（第 {item.version} 版）。", "directory.items")
    return render_template("directory/item_edit.html", item=item, errors=errors, form=request.form,
                           METHODS=CheckItem.METHODS)
