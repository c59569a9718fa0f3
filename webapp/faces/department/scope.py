"""Who may do what in the directories: the office everywhere, a department admin in their own department."""
from flask import abort
from flask_login import current_user

from webapp.domain import roles


def is_office() -> bool:
    return current_user.has_role(roles.OFFICE_ADMIN)


def own_department_id() -> int | None:
    """None for the office (all departments); the department of a department admin; 403 for anyone else."""
    if is_office():
        return None
    if current_user.has_role(roles.DEPT_ADMIN) and current_user.department_id:
        return current_user.department_id
    abort(403)


def require_department(department_id: int):
    scope = own_department_id()
    if scope is not None and scope != department_id:
        abort(403, "只能管理本部门的数据。")


def can_import(kind: str) -> bool:
    if kind == "entities":
        return is_office()
    return is_office() or (current_user.has_role(roles.DEPT_ADMIN) and bool(current_user.department_id))


def require_batch(batch):
    if not can_import(batch.kind):
        abort(403)
    scope = own_department_id()
    if scope is not None and batch.department_id != scope:
        abort(403)
