"""Who may do what in the directories: the office in its jurisdiction (and, reading, below it), a department
admin in their own department. Another jurisdiction's department, inspector or batch answers 404."""
from flask import abort
from flask_login import current_user
from sqlalchemy import or_

from webapp.core.extensions import db
from webapp.domain import roles
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department, User


def is_office() -> bool:
    return current_user.has_role(roles.OFFICE_ADMIN)


def own_department_id() -> int | None:
    """None for the office (all departments); the department of a department admin; 403 for anyone else."""
    if is_office():
        return None
    if current_user.has_role(roles.DEPT_ADMIN) and current_user.department_id:
        return current_user.department_id
    abort(403)


def department_jurisdiction(department_id: int | None) -> int | None:
    department = db.session.get(Department, department_id) if department_id else None
    return department.jurisdiction_id if department is not None else None


def require_department(department_id: int, write: bool = False):
    """404 for a department of a jurisdiction the user does not see; 403 for another department of their own,
    and (`write`) for a department below the office's own jurisdiction (the city reads a district's roster)."""
    where = department_jurisdiction(department_id)
    if not jurisdictions.sees(current_user, where):
        abort(404)
    scope = own_department_id()
    if scope is not None and scope != department_id:
        abort(403, "只能管理本部门的数据。")
    if write and not jurisdictions.runs(current_user, where):
        abort(403, "只能管理本辖区的数据。")


def visible_department_ids() -> list[int]:
    """The departments of the jurisdictions the user sees (the office's lists and choices)."""
    return sorted(db.session.scalars(db.select(Department.id).where(
        Department.jurisdiction_id.in_(sorted(jurisdictions.visible_ids(current_user))))))


def can_import(kind: str) -> bool:
    if kind == "entities":
        return is_office()
    return is_office() or (current_user.has_role(roles.DEPT_ADMIN) and bool(current_user.department_id))


def visible_batches(query, user):
    """A query of import batches narrowed to the jurisdictions `user` sees: the batch's own, or its uploader's
    (a batch made before batches carried one)."""
    from webapp.stages.directory.models import ImportBatch

    visible = sorted(jurisdictions.visible_ids(user))
    return query.where(or_(ImportBatch.jurisdiction_id.in_(visible), ImportBatch.created_by_id.in_(
        db.select(User.id).where(User.jurisdiction_id.in_(visible)))))


def batch_jurisdiction(batch) -> int | None:
    """Where a batch belongs: its own column, else its department's, else its uploader's."""
    if batch.jurisdiction_id is not None:
        return batch.jurisdiction_id
    if batch.department_id is not None:
        return department_jurisdiction(batch.department_id)
    return batch.created_by.jurisdiction_id if batch.created_by is not None else None


def require_batch(batch, write: bool = False):
    where = batch_jurisdiction(batch)
    if not jurisdictions.sees(current_user, where):
        abort(404)
    if not can_import(batch.kind) or (write and not jurisdictions.runs(current_user, where)):
        abort(403)
    scope = own_department_id()
    if scope is not None and batch.department_id != scope:
        abort(403)
